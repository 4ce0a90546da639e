"""Compact models: pruning, product quantization, the compact export and its loader."""

import json

import numpy as np
import pytest
from conftest import TINY_COMPACT

from morphvec.compress import bucket_mass, compress_vectors, kept_buckets
from morphvec.fasttext_torch import FastTextEmbedding, ngram_buckets
from morphvec.formats import CompactReference, decode
from morphvec.parity import check_compact_parity
from morphvec.runtime import UserInputError


@pytest.fixture(scope="module")
def compact(tiny_pipeline, tmp_path_factory):
    """The tiny Korean model compressed here, into its own directory."""
    out = tmp_path_factory.mktemp("compact")
    names = ("word_vectors", "ngram_vectors", "vocab", "ngram_settings")
    compress_vectors(
        *(tiny_pipeline[name] for name in names),
        out / "embeddings.safetensors",
        out / "vocab.txt",
        out / "fasttext_torch.py",
        out / "stats.json",
        variant="v",
        variants={"v": TINY_COMPACT},
    )
    return out


def test_bucket_mass_ranks_buckets_by_the_counts_of_the_words_using_them():
    words, counts = ["ab", "abc", "zz"], np.array([10, 3, 1])
    mass = bucket_mass(words, counts, 3, 3, 1000)
    for word, count in zip(words, counts, strict=True):
        for bucket in ngram_buckets(word, 3, 3, 1000):
            assert mass[bucket] >= count
    assert mass.sum() == sum(count * len(ngram_buckets(w, 3, 3, 1000)) for w, count in zip(words, counts, strict=True))
    top = kept_buckets(mass, 2)
    assert len(top) == 2 and list(top) == sorted(top) and mass[top].min() >= np.sort(mass)[-2]


def test_buckets_are_kept_for_the_dropped_words_by_their_counts_times_row_norm(tmp_path):
    from morphvec.compress import rank_buckets

    words, counts = ["ab", "abc", "zz"], np.array([10, 3, 1])
    rows = np.random.default_rng(0).normal(size=(1000, 4)).astype(np.float32)
    np.save(tmp_path / "ngrams.npy", rows)
    settings = {"min_n": 3, "max_n": 3, "bucket": 1000}
    kept, kept_rows, mass = rank_buckets(words, counts, settings, 1, tmp_path / "ngrams.npy", 2)
    dropped = {b: c for w, c in zip(words[1:], counts[1:], strict=True) for b in ngram_buckets(w, 3, 3, 1000)}
    assert set(np.flatnonzero(mass)) == set(dropped)  # "ab", kept as a word, adds nothing
    score = {b: mass[b] * np.linalg.norm(rows[b]) for b in dropped}
    assert list(kept) == sorted(sorted(score, key=lambda b: (-score[b], b))[:2])
    assert np.array_equal(kept_rows, rows[kept])
    # nothing dropped: every word's buckets may be kept
    kept_all, _, _ = rank_buckets(words, counts, settings, 3, tmp_path / "ngrams.npy", 100)
    assert set(kept_all) == {b for w in words for b in ngram_buckets(w, 3, 3, 1000)}


def test_compact_loader_equals_its_reference_decoding_through_the_bucket_remap(compact, tiny_pipeline):
    embedding = FastTextEmbedding.load(compact)
    full_vocab = FastTextEmbedding.load(tiny_pipeline["torch_dir"]).vocab
    table = check_compact_parity(
        embedding, CompactReference(compact), full_vocab, tiny_pipeline["tokens"], 200, 1e-5, seed=0
    )
    assert table["passed"], table
    assert table["samples"]["oov"] >= 150  # pruned words and never-seen words, through the remap
    stats = json.loads((compact / "stats.json").read_text())
    assert stats["words_kept"] == 500 and 0 < stats["buckets_kept"] <= 4000
    assert embedding.kept_buckets is not None and len(embedding.kept_buckets) == stats["buckets_kept"]


def test_codes_are_the_nearest_centroids_so_the_error_is_the_bound(compact, tiny_pipeline):
    from safetensors.numpy import load_file

    tensors = load_file(compact / "embeddings.safetensors")
    original = np.load(tiny_pipeline["word_vectors"])[: len(tensors["word_codes"])]
    books = tensors["word_codebooks"]
    width = books.shape[2]
    rebuilt = decode(tensors["word_codes"], books)
    for piece in range(books.shape[0]):
        part = original[:, piece * width : (piece + 1) * width]
        to_every = ((part[:, None, :] - books[piece][None, :, :]) ** 2).sum(axis=2)  # rows x centroids
        error = ((part - rebuilt[:, piece * width : (piece + 1) * width]) ** 2).sum(axis=1)
        assert np.all(error <= to_every.min(axis=1) + 1e-6)  # no centroid is nearer than the chosen one
    bound = sum(
        ((original[:, p * width : (p + 1) * width][:, None, :] - books[p][None]) ** 2).sum(axis=2).min(axis=1)
        for p in range(books.shape[0])
    )
    assert np.allclose(((original - rebuilt) ** 2).sum(axis=1), bound, atol=1e-5)


def test_a_word_whose_ngrams_were_all_dropped_gets_a_zero_vector(compact):
    embedding = FastTextEmbedding.load(compact)
    kept = set(embedding.kept_buckets.tolist())
    candidates = ["".join(chr(0xAC00 + (i * 7919 + j) % 11172) for j in range(3)) for i in range(5000)]
    orphan = next(w for w in candidates if not set(ngram_buckets(w, 3, 6, embedding.bucket)) & kept)
    assert embedding.ngram_ids(orphan) == []
    assert float(embedding.word_vectors([orphan]).abs().sum()) == 0.0


def test_compact_loader_has_the_full_loaders_api(compact, tiny_pipeline):
    compact_embedding = FastTextEmbedding.load(compact)
    full = FastTextEmbedding.load(tiny_pipeline["torch_dir"])
    sentences = [["영화", "가", "재밌", "다"], "없는말 영화"]
    for embedding in (compact_embedding, full):
        ids = embedding.token_ids(["영화", "없는말"])
        assert ids[1] == -1 and embedding.embedding(ids[:1]).shape == (1, 16)
        direct = embedding.sentence_vectors(sentences)
        assert torch_close(direct, embedding.sentence_vectors_from_ids(*embedding.encode(sentences)))
        assert embedding.word_vectors(["영화", "없는말"]).shape == (2, 16)
    cosine = float(
        (compact_embedding.word_vectors(["영화"]) @ full.word_vectors(["영화"]).T)
        / (compact_embedding.word_vectors(["영화"]).norm() * full.word_vectors(["영화"]).norm())
    )
    assert cosine > 0.8  # a frequent word keeps its direction


def torch_close(a, b) -> bool:
    return bool((a - b).abs().max() <= 1e-6)


def test_subvectors_that_do_not_divide_dim_are_refused(tiny_pipeline, tmp_path):
    names = ("word_vectors", "ngram_vectors", "vocab", "ngram_settings")
    with pytest.raises(UserInputError, match=r"subvectors: 5 does not divide fasttext\.dim 16"):
        compress_vectors(
            *(tiny_pipeline[name] for name in names),
            tmp_path / "e.safetensors",
            tmp_path / "v.txt",
            variant="v",
            variants={"v": {**TINY_COMPACT, "subvectors": 5}},
        )


def test_the_workflow_reports_the_size_quality_curve(workflow_run):
    metrics = json.loads((workflow_run / "results/ko_tiny/report/metrics.json").read_text(encoding="utf-8"))
    small = metrics["compression"]["variants"]["small"]
    assert small["parity"]["passed"] and small["bytes"] < 0.2 * metrics["compression"]["full_bytes"]
    assert small["quality"]["similarity"]["ws353_ko"]["spearman_all_pairs_subword"] is not None
    assert 0 < small["cosine_to_full"]["kept_words"] <= 1
    curve = (workflow_run / "results/summary_compact.tsv").read_text(encoding="utf-8").splitlines()
    assert curve[0].startswith("run\tmodel\tbytes") and {line.split("\t")[1] for line in curve[1:]} == {"full", "small"}
    assert "Compact models" in (workflow_run / "results/ko_tiny/report/report.html").read_text(encoding="utf-8")


def test_seeds_are_distinct_rows_of_each_piece_drawn_far_apart():
    from morphvec.compress import seed_centroids

    rng = np.random.default_rng(0)
    # Two tight clusters per piece, far apart: D² sampling puts the second seed in the other one.
    near, far = rng.normal(0, 0.01, (50, 3, 2)), rng.normal(10, 0.01, (50, 3, 2))
    pieces = np.ascontiguousarray(np.concatenate([near, far]).transpose(1, 2, 0), dtype=np.float32)  # (3, 2, 100)
    seeds = seed_centroids(pieces, 2, np.random.default_rng(1))
    assert seeds.shape == (3, 2, 2)
    for piece in range(3):
        rows = {tuple(row) for row in pieces[piece].T}
        assert all(tuple(seed) in rows for seed in seeds[piece])
        assert abs(seeds[piece, 0, 0] - seeds[piece, 1, 0]) > 5  # one seed in each cluster
    again = seed_centroids(pieces, 2, np.random.default_rng(1))
    assert np.array_equal(seeds, again)  # seeded: the same codebooks on every rerun


def test_rows_no_more_than_centroids_are_reconstructed_exactly():
    from morphvec.compress import train_product_quantizer

    matrix = np.random.default_rng(3).normal(size=(40, 8)).astype(np.float32)
    codes, books = train_product_quantizer(matrix, subvectors=4, centroids=64, sample=16384, seed=0)
    assert books.shape == (4, 40, 2)  # k is capped at the row count
    np.testing.assert_allclose(decode(codes, books), matrix, atol=1e-6)


def test_selected_rows_are_read_without_mapping_the_matrix(tmp_path):
    from morphvec.formats import read_matrix_rows

    matrix = np.arange(1000 * 3, dtype=np.float32).reshape(1000, 3)
    np.save(tmp_path / "m.npy", matrix)
    rows = np.array([0, 5, 63, 64, 65, 500, 999])
    np.testing.assert_array_equal(read_matrix_rows(tmp_path / "m.npy", rows, "n-gram vectors"), matrix[rows])
    blocks = read_matrix_rows(tmp_path / "m.npy", rows, "n-gram vectors", block_rows=64)  # across blocks
    np.testing.assert_array_equal(blocks, matrix[rows])
    assert read_matrix_rows(tmp_path / "m.npy", rows[:0], "n-gram vectors").shape == (0, 3)
