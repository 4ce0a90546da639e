import importlib.util
import json

import numpy as np
import pytest
import torch
from gensim.models.fasttext import ft_hash_bytes
from safetensors import safe_open

from morphvec.fasttext_torch import FastTextEmbedding, char_ngrams, fasttext_hash, ngram_buckets, ngram_buckets_batch

OOV_WORDS = ["처음보는말뭉치", "굵직한지혜들", "ㅋㅋ힣힣", "zzqxj", "영화영화영화", "é🎬", "가"]


@pytest.fixture(scope="module")
def embedding(tiny_pipeline):
    return FastTextEmbedding.load(tiny_pipeline["torch_dir"])


@pytest.mark.parametrize("text", ["<영화>", "abc", "<é🎬>", "ㅋㅋ", ""])
def test_hash_matches_fasttexts_sign_extended_fnv1a(text):
    assert fasttext_hash(text) == ft_hash_bytes(text.encode("utf-8"))


def test_char_ngrams_skip_lone_boundary_characters():
    assert char_ngrams("ab", 1, 2) == ["<a", "a", "ab", "b", "b>"]
    assert char_ngrams("영화", 3, 6) == ["<영화", "<영화>", "영화>"]


def test_batched_hashing_equals_the_scalar_rule():
    words = [*OOV_WORDS, "", "<>", "아" * 30]
    ids, offsets = ngram_buckets_batch(words, 3, 6, 20000)
    bounds = [*offsets.tolist(), len(ids)]
    for i, word in enumerate(words):
        assert sorted(ids[bounds[i] : bounds[i + 1]].tolist()) == sorted(ngram_buckets(word, 3, 6, 20000)), word
    ids, offsets = ngram_buckets_batch(["ab", "가"], 1, 2, 1000)  # min_n 1: no lone '<' or '>'
    assert sorted(ids[: offsets[1]].tolist()) == sorted(ngram_buckets("ab", 1, 2, 1000))
    assert len(ngram_buckets("ab", 1, 2, 1000)) == 5


def test_syllable_and_jamo_subwords_agree_in_the_loader_and_the_library():
    """The loader's own copy of Park et al.'s scheme (batched and scalar) against morphvec.ngrams."""
    from morphvec import ngrams

    words = [*OOV_WORDS, "", "SNS가", "ㅋㅋㅋ", "abc", "없는말이다", "아" * 30]
    ids, offsets = ngram_buckets_batch(words, 1, 4, 20000, "syllable_jamo")
    bounds = [*offsets.tolist(), len(ids)]
    for i, word in enumerate(words):
        expected = ngrams.ngram_buckets(word, 1, 4, 20000, "syllable_jamo")
        assert sorted(ids[bounds[i] : bounds[i + 1]].tolist()) == sorted(expected), word
        assert sorted(ngram_buckets(word, 1, 4, 20000, "syllable_jamo")) == sorted(expected), word
    # Latin letters have no jamo: their jamo n-grams would repeat the syllable ones, so none are added
    assert ngrams.word_ngrams("abc", 1, 4, "syllable_jamo") == ngrams.char_ngrams("abc", 1, 4)
    g, a, e = "\u1100", "\u1161", "\u2205"  # the jamo of 가: initial, medial, no final (∅)
    assert ngrams.word_ngrams("가", 1, 4, "syllable_jamo") == [
        "<가", "<가>", "가", "가>",  # fastText's n-grams of the syllables, 1 to 4
        f"<{g}{a}", f"<{g}{a}{e}", f"<{g}{a}{e}>", f"{g}{a}{e}", f"{g}{a}{e}>", f"{a}{e}>",  # jamo, 3 to 5
    ]  # fmt: skip


def test_ngram_ids_are_fasttexts_subword_ids(embedding, fasttext_model):
    n_words = len(fasttext_model.get_words())
    for word in OOV_WORDS:
        _, ids = fasttext_model.get_subwords(word)
        assert sorted(ngram_buckets(word, 3, 6, embedding.bucket)) == sorted(
            int(i) - n_words for i in ids if i >= n_words
        )  # minus the word row


def test_oov_vectors_equal_fasttext(embedding, fasttext_model):
    ours = embedding.word_vectors(OOV_WORDS).numpy()
    theirs = np.stack([fasttext_model.get_word_vector(w) for w in OOV_WORDS])
    np.testing.assert_allclose(ours, theirs, atol=1e-5, rtol=0)
    assert np.all(np.linalg.norm(ours, axis=1) > 0)  # no all-zero n-gram rows left


def test_in_vocab_vectors_and_embedding_layer(embedding, fasttext_model):
    words = fasttext_model.get_words()
    assert isinstance(embedding.embedding, torch.nn.Embedding)
    assert embedding.embedding.weight.shape == (len(words), fasttext_model.get_dimension())
    assert not embedding.embedding.weight.requires_grad  # frozen by default
    ids = embedding.token_ids([words[5], "처음보는말뭉치", words[0]])
    assert ids.tolist() == [5, -1, 0]
    vectors = embedding.embedding(torch.tensor([0, 5]))
    np.testing.assert_allclose(vectors[1].numpy(), fasttext_model.get_word_vector(words[5]), atol=1e-6)
    mixed = embedding(words[:50] + OOV_WORDS).numpy()
    expected = np.stack([fasttext_model.get_word_vector(w) for w in words[:50] + OOV_WORDS])
    np.testing.assert_allclose(mixed, expected, atol=1e-5, rtol=0)


def test_sentence_vectors_equal_fasttext_batched(embedding, fasttext_model, tiny_pipeline):
    lines = tiny_pipeline["tokens"].read_text(encoding="utf-8").splitlines()[:300]
    sentences = [line.split() for line in lines] + [["처음보는말뭉치", "영화"], []]
    ours = embedding.sentence_vectors(sentences).numpy()
    theirs = np.stack([fasttext_model.get_sentence_vector(" ".join(s)) for s in sentences])
    np.testing.assert_allclose(ours, theirs, atol=1e-5, rtol=0)
    assert np.all(ours[-1] == 0)  # an empty sentence is the zero vector, as in fastText
    assert embedding.sentence_vectors([]).shape == (0, embedding.dim)
    np.testing.assert_allclose(embedding.sentence_vectors([lines[0]]).numpy()[0], theirs[0], atol=1e-5)
    # Strings split on any whitespace, as fastText does; mixed with token lists in one batch.
    spaced = ["  " + "\t".join(s) + " \n" for s in sentences[:5]] + ["", "  ", sentences[5]]
    expected = np.vstack([ours[:5], np.zeros((2, embedding.dim)), ours[5:6]])
    np.testing.assert_array_equal(embedding.sentence_vectors(spaced).numpy(), expected)


def test_export_is_safetensors_with_settings_and_a_standalone_loader(tiny_pipeline):
    weights = tiny_pipeline["torch_dir"] / "embeddings.safetensors"
    with safe_open(weights, framework="pt") as handle:
        assert set(handle.keys()) == {"word_vectors", "ngram_vectors", "output_vectors"}
        settings = json.loads(handle.metadata()["ngram_settings"])
        output = handle.get_tensor("output_vectors").numpy()
    extracted = np.load(tiny_pipeline["torch_dir"].parent / "extract_vectors" / "output_vectors.npy")
    assert np.array_equal(output, extracted)  # the syn1neg rows, for IN-OUT queries
    assert (settings["min_n"], settings["max_n"], settings["bucket"]) == (3, 6, 20000)
    # The copied loader imports on its own and gives the same vectors.
    spec = importlib.util.spec_from_file_location("copied_loader", tiny_pipeline["torch_dir"] / "fasttext_torch.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    copied = module.FastTextEmbedding.load(weights)
    original = FastTextEmbedding.load(tiny_pipeline["torch_dir"])
    assert torch.equal(copied.word_vectors(OOV_WORDS), original.word_vectors(OOV_WORDS))


def test_loader_rejects_files_that_are_not_an_export(tmp_path):
    from safetensors.torch import save_file

    save_file({"x": torch.zeros(2)}, tmp_path / "embeddings.safetensors")
    with pytest.raises(ValueError, match="not a morphvec fastText export"):
        FastTextEmbedding.load(tmp_path)


def test_encoded_batches_give_the_same_sentence_vectors(tiny_pipeline, fasttext_model):
    embedding = FastTextEmbedding.load(tiny_pipeline["torch_dir"])
    lines = [*tiny_pipeline["tokens"].read_text(encoding="utf-8").splitlines()[:100], "처음보는말뭉치 영화"]
    ids, offsets = embedding.encode(lines)
    assert ids.max() >= len(embedding.vocab)  # the unknown word got an extra row
    again, _ = embedding.encode(lines)
    assert torch.equal(ids, again)  # ids of unknown words are stable
    theirs = np.stack([fasttext_model.get_sentence_vector(line) for line in lines])
    np.testing.assert_allclose(embedding.sentence_vectors_from_ids(ids, offsets).numpy(), theirs, atol=1e-5)


def test_trainable_embedding_passes_gradients_to_word_and_ngram_rows(tiny_pipeline):
    embedding = FastTextEmbedding.load(tiny_pipeline["torch_dir"], freeze=False)
    vectors = embedding.sentence_vectors([[embedding.vocab[3], "처음보는말뭉치"]])
    vectors.sum().backward()
    assert embedding.embedding.weight.grad[3].abs().sum() > 0
    assert embedding.ngram_embedding.weight.grad.abs().sum() > 0


@pytest.mark.parametrize("compact", [False, True], ids=["full", "compact"])
@pytest.mark.parametrize("method", ["token_ids", "word_vectors", "oov_vectors", "encode", "sentence_vectors"])
def test_a_bare_string_is_refused_where_a_list_is_expected(tiny_pipeline, workflow_run, method, compact):
    """`token_ids("영화")` used to look up 영 and 화: a silent wrong result.  Now a TypeError that
    says to pass a list, in the full and the compact loader alike."""
    directory = tiny_pipeline["torch_dir"]
    if compact:
        directory = workflow_run / "results/ko_tiny/compress_vectors/small"
    loader = FastTextEmbedding.load(directory)
    with pytest.raises(TypeError, match=r"expected a list of \w+, got the string '영화 재밌 다': pass a list"):
        getattr(loader, method)("영화 재밌 다")
    assert getattr(loader, method)(["영화"]) is not None  # the list it asks for works


def test_unknown_words_read_their_ngram_rows_from_the_file_not_the_map(tiny_pipeline):
    """A loaded, frozen export reads an unknown word's n-gram rows with ``os.pread`` (a scattered
    read of the map would make whole page-cache folios resident): the same vectors, bit for bit;
    weights changed in place are read from memory again."""
    embedding = FastTextEmbedding.load(tiny_pipeline["torch_dir"])
    words = ["처음보는말", "영화관에서는", "가나다라마바사"]
    assert embedding._ngram_file is not None
    from_file = embedding.oov_vectors(words)
    kept, embedding._ngram_file = embedding._ngram_file, None
    assert torch.equal(from_file, embedding.oov_vectors(words))
    embedding._ngram_file = kept
    with torch.no_grad():
        embedding.ngram_embedding.weight.mul_(2)  # in place: the file no longer holds these rows
    assert torch.allclose(embedding.oov_vectors(words), 2 * from_file)
