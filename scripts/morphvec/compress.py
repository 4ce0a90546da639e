"""Compact models: prune and product-quantize an unsupervised fastText model, exactly decodable.

fastText's own ``quantize`` works only for supervised models (facebookresearch/fastText#519,
#1109, #1119).  Here, as in the ``compress-fasttext`` project (pruning by frequency, then product
quantization), a compact model is made from the extracted arrays:

* **words**: the ``words`` most frequent vocabulary words keep their vectors (fastText's
  in-vocabulary vectors: word row and n-gram rows already averaged); a dropped word becomes
  out-of-vocabulary and gets a vector from its n-grams;
* **n-gram buckets**: what they are kept for is the words the compact model does not keep (the
  dropped vocabulary words, and the never-seen words that resemble them), so each bucket is ranked
  by the summed corpus counts of the *dropped* words whose n-grams hash into it, times its row's
  norm (a long row moves a word's mean vector more), and the top ``buckets`` are kept; a bucket no
  dropped word uses is not kept (nor, when no word is dropped, one no word uses).  Measured on the
  full NSMC model of ``config/full_nsmc.yaml`` (2026-12-01), against ranking by every vocabulary
  word's counts (the first rule) and compress-fasttext's vocabulary words x norm: WS353-ko ρ over
  all pairs kept at ``w10k_b50k_pq10`` 69.9% against 45.8% and 55.8%, at ``w30k_b200k_pq25``
  95.4% against 92.8%, at ``w30k_b400k_pq50`` 100.7% against 99.0% (in 9.8 MB instead of 16.1: the
  dropped words use fewer buckets than that budget), the sentiment probe within 0.3 points.
  Filling the rest of the budget with buckets only kept words use made it worse (87.8% at
  ``w30k_b200k_pq25``): their rows take codebook room from the rows unknown words need.  The
  compact file lists the kept bucket numbers; a word's n-gram hashes are looked up there.
  **Rule for dropped buckets**: they contribute nothing, and an
  out-of-vocabulary vector is the mean of the word's n-gram rows that were kept (zero if none
  was), so a word keeps its direction when a few rare n-grams are gone;
* **product quantization**: each row is cut into ``subvectors`` equal pieces; per piece,
  k-means (seeded by k-means++ for all pieces at once, then scikit-learn's ``KMeans``, learnt on
  at most ``sample`` rows) finds
  ``centroids`` (<= 256, so a code is one byte) and every row stores the index of the nearest
  centroid.  Words and n-grams get codebooks of their own.

Why not ``compress-fasttext`` itself: its compact models are gensim objects saved as pickles,
which morphvec does not read (a pickle runs code), and its quantizer is scikit-learn's k-means,
used here directly; faiss's ``ProductQuantizer`` does the same with a large extra dependency.

The compact export (``embeddings.safetensors``: codes, codebooks, kept buckets; ``vocab.txt``;
the loader; written by :func:`morphvec.export.write_compact_export`) is opened by the same
torch-only loader as the full export, with the same API.
:class:`morphvec.formats.CompactReference` decodes the same file in numpy, with gensim's n-gram
hashing: the report's parity check compares the two, and :mod:`morphvec.analyses` measures what
a compact model keeps.
"""

import logging
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from morphvec.export import write_compact_export
from morphvec.formats import decode, read_matrix, read_matrix_rows, read_vocab_counts
from morphvec.runtime import UserInputError, read_json, require_file, write_json
from morphvec.schema import SCHEMA_DEFAULT, configured, raise_problems, variant_problems
from morphvec.vectors import EOS

log = logging.getLogger("morphvec.compress")

LLOYD_ITERATIONS = 15  # per piece; 25 (faiss's default) gave the same error (0.01091 vs 0.01092 RMSE) in 1.3x the time


def bucket_mass(
    words: list[str], counts: np.ndarray, min_n: int, max_n: int, bucket: int, subwords: str = "fasttext"
) -> np.ndarray:
    """For every bucket, the summed counts of the words whose n-grams hash into it (EOS has none)."""
    from morphvec.fasttext_torch import ngram_buckets_batch  # torch: imported where it is used

    mass = np.zeros(bucket, dtype=np.float64)
    chosen = [i for i, word in enumerate(words) if word != EOS]
    for start in range(0, len(chosen), 50_000):  # bounded memory for large vocabularies
        batch = chosen[start : start + 50_000]
        ids, offsets = ngram_buckets_batch([words[i] for i in batch], min_n, max_n, bucket, subwords)
        per_word = np.diff(np.append(offsets.numpy(), len(ids)))
        np.add.at(mass, ids.numpy(), np.repeat(counts[batch], per_word))
    return mass


def kept_buckets(score: np.ndarray, keep: int) -> np.ndarray:
    """The ``keep`` buckets of highest score (ties: lower number first; none of score 0), ascending."""
    used = np.flatnonzero(score > 0)
    order = used[np.lexsort((used, -score[used]))]
    return np.sort(order[:keep]).astype(np.int64)


def rank_buckets(words, counts, settings: dict, kept_words: int, ngram_vectors, keep: int):
    """``(kept bucket numbers, their rows, the dropped words' mass)``: the ``keep`` buckets of most
    dropped-word mass x row norm (module docstring).  Only the rows of buckets some dropped word
    uses are read, once (the whole matrix would make 800 MB resident on full NSMC)."""
    dropped = slice(kept_words, None) if kept_words < len(words) else slice(None)  # none dropped: all
    mass = bucket_mass(
        words[dropped], counts[dropped], settings["min_n"], settings["max_n"], settings["bucket"],
        settings.get("subwords", "fasttext"),
    )  # fmt: skip
    used = np.flatnonzero(mass > 0) if settings["max_n"] else np.zeros(0, dtype=np.int64)
    rows = read_matrix_rows(ngram_vectors, used, "n-gram vectors")
    score = np.zeros_like(mass)
    score[used] = mass[used] * np.linalg.norm(rows.astype(np.float64), axis=1)
    buckets = kept_buckets(score, keep)
    return buckets, rows[np.searchsorted(used, buckets)], mass


def seed_centroids(pieces: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ seeds for every piece at once: ``(pieces, width, rows)`` -> ``(pieces, k, width)``.

    Each next seed is a row drawn with probability proportional to its squared distance to the
    nearest seed so far (D² sampling, one candidate a step).  Why not scikit-learn's
    ``kmeans_plusplus``: it seeds one piece at a time in a Python loop over the k seeds, and for
    256 seeds on a few thousand narrow rows that loop took twice as long as the clustering it
    starts (0.13 s against 0.065 s per piece, measured on full NSMC; scikit-learn#11493, open:
    "the initialization takes longer than the clustering").  Here each step is a few numpy
    operations over all pieces: one column of the piece at a time (pieces are 1-10 wide), and one
    ``searchsorted`` for every piece's draw (each piece's cumulative weights scaled to [p, p + 1)).
    """
    count, width, rows = pieces.shape
    every = np.arange(count)
    seeds = np.empty((count, k, width), dtype=np.float32)

    def squared_distances(chosen: np.ndarray) -> np.ndarray:  # (count, rows) to each piece's row ``chosen``
        total = np.zeros((count, rows), dtype=np.float32)
        for column in range(width):
            values = pieces[:, column, :]
            total += (values - values[every, chosen][:, None]) ** 2
        return total

    chosen = rng.integers(rows, size=count)
    seeds[:, 0] = pieces[every, :, chosen]
    nearest = squared_distances(chosen)
    for index in range(1, k):
        cumulative = np.cumsum(nearest, axis=1, dtype=np.float64)
        total = cumulative[:, -1:]
        scaled = (cumulative / np.where(total > 0, total, 1) + every[:, None]).ravel()
        draws = every + rng.random(count)
        chosen = np.minimum(np.searchsorted(scaled, draws, side="right") - every * rows, rows - 1)
        seeds[:, index] = pieces[every, :, chosen]
        np.minimum(nearest, squared_distances(chosen), out=nearest)
    return seeds


def train_product_quantizer(
    matrix: np.ndarray, subvectors: int, centroids: int, sample: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, codebooks)``: codes ``(rows, subvectors)`` uint8, codebooks ``(subvectors, k, dim/subvectors)``.

    Per piece, scikit-learn's ``KMeans`` (Lloyd, :data:`LLOYD_ITERATIONS` at most) refines
    the seeds of :func:`seed_centroids` on at most ``sample`` rows, and each code is the nearest
    centroid of its piece (``KMeans.predict``), so the reconstruction error of a row is the sum
    over pieces of the distance to the nearest centroid.
    """
    from sklearn.cluster import KMeans

    rows, dim = matrix.shape
    width = dim // subvectors
    k = max(1, min(centroids, rows))
    rng = np.random.default_rng(seed)
    learn = matrix if rows <= sample else matrix[np.sort(rng.choice(rows, sample, replace=False))]
    codes = np.zeros((rows, subvectors), dtype=np.uint8)
    codebooks = np.zeros((subvectors, k, width), dtype=np.float32)
    if rows == 0:  # nothing to quantize (a model without n-grams keeps no bucket): empty codes
        return codes, codebooks
    learn = np.asarray(learn, dtype=np.float32)
    seconds = {"seeding": -time.perf_counter()}
    seeds = seed_centroids(
        np.ascontiguousarray(learn.reshape(len(learn), subvectors, width).transpose(1, 2, 0)), k, rng
    )
    seconds["seeding"] += time.perf_counter()
    seconds["k-means"] = seconds["codes"] = 0.0
    for piece in range(subvectors):
        columns = slice(piece * width, (piece + 1) * width)
        started = time.perf_counter()
        kmeans = KMeans(n_clusters=k, init=seeds[piece], n_init=1, max_iter=LLOYD_ITERATIONS)
        kmeans.fit(np.ascontiguousarray(learn[:, columns]))
        codebooks[piece] = kmeans.cluster_centers_
        seconds["k-means"] += time.perf_counter() - started
        started = time.perf_counter()
        codes[:, piece] = kmeans.predict(np.ascontiguousarray(matrix[:, columns], dtype=np.float32))
        seconds["codes"] += time.perf_counter() - started
    # Where the time goes (bench/ reads it from the log; times never go into the outputs).
    log.info(
        "quantized %d rows x %d pieces: %s",
        rows,
        subvectors,
        ", ".join(f"{part} {s:.2f} s" for part, s in seconds.items()),
    )
    return codes, codebooks


@configured("compress_vectors")
def compress_vectors(
    word_vectors: str | Path,
    ngram_vectors: str | Path,
    vocab: str | Path,
    ngram_settings: str | Path,
    compact_weights: str | Path,
    compact_vocab: str | Path,
    compact_loader: str | Path | None = None,
    compress_stats: str | Path | None = None,
    *,
    variant: str,
    variants: dict = SCHEMA_DEFAULT,
    sample: int = SCHEMA_DEFAULT,
    seed: int = SCHEMA_DEFAULT,
    threads: int = 1,
) -> dict:
    """Prune and product-quantize a model into a compact export (see the module docstring).

    ``variant`` names the entry of ``variants`` (``words``, ``buckets``, ``subvectors``,
    ``centroids``) to build; k-means uses ``threads`` threads (the job's, not every core).
    """
    if variant not in variants:
        raise UserInputError(f"no compress_vectors variant {variant!r}", f"use one of {sorted(variants)}")
    settings = read_json(require_file(ngram_settings, "n-gram settings", "run extract_vectors"))
    words, counts = read_vocab_counts(require_file(vocab, "vocabulary", "run extract_vectors"))
    word_matrix = read_matrix(word_vectors, "word vectors", mmap=True)
    chosen = variants[variant]
    raise_problems(variant_problems({variant: chosen}, word_matrix.shape[1]))
    kept_words = min(chosen["words"], len(words))
    buckets, kept_ngram_rows, mass = rank_buckets(words, counts, settings, kept_words, ngram_vectors, chosen["buckets"])
    quantize = (chosen["subvectors"], chosen["centroids"], sample, seed)
    kept_word_rows = np.asarray(word_matrix[:kept_words])
    with threadpool_limits(limits=threads):  # k-means would otherwise take every core of a shared node
        word_codes, word_books = train_product_quantizer(kept_word_rows, *quantize)
        ngram_codes, ngram_books = train_product_quantizer(kept_ngram_rows, *quantize)
    tensors = {
        "word_codes": word_codes,
        "word_codebooks": word_books,
        "ngram_codes": ngram_codes,
        "ngram_codebooks": ngram_books,
        "kept_buckets": buckets.astype(np.int64),
    }
    write_compact_export(compact_weights, compact_vocab, compact_loader, tensors, words[:kept_words], settings, chosen)
    stats = {
        "variant": variant,
        **chosen,
        "words_kept": kept_words,
        "words_total": len(words),
        "buckets_kept": len(buckets),
        "buckets_total": settings["bucket"],
        "dropped_words_mass_kept_share": round(float(mass[buckets].sum() / max(mass.sum(), 1e-12)), 6),
        "word_reconstruction_rmse": _rmse(kept_word_rows, decode(word_codes, word_books)),
        "ngram_reconstruction_rmse": _rmse(kept_ngram_rows, decode(ngram_codes, ngram_books)),
        "bytes": Path(compact_weights).stat().st_size,
    }
    log.info("compact %s: %s", variant, stats)
    if compress_stats is not None:
        write_json(compress_stats, stats)
    return stats


def _rmse(original, rebuilt: np.ndarray) -> float:
    return round(float(np.sqrt(np.mean((np.asarray(original) - rebuilt) ** 2))), 6) if len(rebuilt) else 0.0
