"""Compact models: prune and product-quantize an unsupervised fastText model, exactly decodable.

fastText's own ``quantize`` works only for supervised models (facebookresearch/fastText#519,
#1109, #1119).  Here, as in the ``compress-fasttext`` project (pruning by frequency, then product
quantization), a compact model is made from the extracted arrays:

* **words**: the ``words`` most frequent vocabulary words keep their vectors (fastText's
  in-vocabulary vectors: word row and n-gram rows already averaged); a dropped word becomes
  out-of-vocabulary and gets a vector from its n-grams;
* **n-gram buckets**: ranked by vocabulary mass -- the summed corpus counts of the vocabulary
  words whose character n-grams hash into the bucket -- and the top ``buckets`` kept (buckets no
  word uses are never kept).  The compact file lists the kept bucket numbers; a word's n-gram
  hashes are looked up there.  **Rule for dropped buckets**: they contribute nothing, and an
  out-of-vocabulary vector is the mean of the word's n-gram rows that were kept (zero if none
  was), so a word keeps its direction when a few rare n-grams are gone;
* **product quantization**: each row is cut into ``subvectors`` equal pieces; per piece,
  k-means (scikit-learn's ``KMeans``, seeded, learnt on at most ``sample`` rows) finds
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
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from morphvec.export import write_compact_export
from morphvec.formats import decode, read_matrix, read_vocab_counts
from morphvec.runtime import UserInputError, read_json, require_file, write_json
from morphvec.schema import SCHEMA_DEFAULT, configured, raise_problems, variant_problems
from morphvec.vectors import EOS

log = logging.getLogger("morphvec.compress")


def bucket_mass(words: list[str], counts: np.ndarray, min_n: int, max_n: int, bucket: int) -> np.ndarray:
    """For every bucket, the summed counts of the words whose n-grams hash into it (EOS has none)."""
    from morphvec.fasttext_torch import ngram_buckets_batch  # torch: imported where it is used

    mass = np.zeros(bucket, dtype=np.float64)
    chosen = [i for i, word in enumerate(words) if word != EOS]
    for start in range(0, len(chosen), 50_000):  # bounded memory for large vocabularies
        batch = chosen[start : start + 50_000]
        ids, offsets = ngram_buckets_batch([words[i] for i in batch], min_n, max_n, bucket)
        per_word = np.diff(np.append(offsets.numpy(), len(ids)))
        np.add.at(mass, ids.numpy(), np.repeat(counts[batch], per_word))
    return mass


def kept_buckets(mass: np.ndarray, keep: int) -> np.ndarray:
    """The ``keep`` buckets of most mass (ties: lower number first; no empty bucket), ascending."""
    used = np.flatnonzero(mass > 0)
    order = used[np.lexsort((used, -mass[used]))]
    return np.sort(order[:keep]).astype(np.int64)


def train_product_quantizer(
    matrix: np.ndarray, subvectors: int, centroids: int, sample: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, codebooks)``: codes ``(rows, subvectors)`` uint8, codebooks ``(subvectors, k, dim/subvectors)``.

    Each code is the nearest centroid of its piece (``KMeans.predict``), so the reconstruction
    error of a row is the sum over pieces of the distance to the nearest centroid.
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
    for piece in range(subvectors):
        columns = slice(piece * width, (piece + 1) * width)
        kmeans = KMeans(n_clusters=k, n_init=1, random_state=seed + piece, max_iter=50)
        kmeans.fit(np.ascontiguousarray(learn[:, columns], dtype=np.float32))
        codebooks[piece] = kmeans.cluster_centers_
        if rows:
            codes[:, piece] = kmeans.predict(np.ascontiguousarray(matrix[:, columns], dtype=np.float32))
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
    ngram_matrix = read_matrix(ngram_vectors, "n-gram vectors", mmap=True)
    chosen = variants[variant]
    raise_problems(variant_problems({variant: chosen}, word_matrix.shape[1]))
    kept_words = min(chosen["words"], len(words))
    mass = bucket_mass(words, counts, settings["min_n"], settings["max_n"], settings["bucket"])
    buckets = kept_buckets(mass, chosen["buckets"]) if settings["max_n"] else np.zeros(0, dtype=np.int64)
    quantize = (chosen["subvectors"], chosen["centroids"], sample, seed)
    with threadpool_limits(limits=threads):  # k-means would otherwise take every core of a shared node
        word_codes, word_books = train_product_quantizer(np.asarray(word_matrix[:kept_words]), *quantize)
        ngram_codes, ngram_books = train_product_quantizer(np.asarray(ngram_matrix[buckets]), *quantize)
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
        "bucket_mass_kept_share": round(float(mass[buckets].sum() / max(mass.sum(), 1e-12)), 6),
        "word_reconstruction_rmse": _rmse(word_matrix[:kept_words], decode(word_codes, word_books)),
        "ngram_reconstruction_rmse": _rmse(ngram_matrix[buckets], decode(ngram_codes, ngram_books)),
        "bytes": Path(compact_weights).stat().st_size,
    }
    log.info("compact %s: %s", variant, stats)
    if compress_stats is not None:
        write_json(compress_stats, stats)
    return stats


def _rmse(original, rebuilt: np.ndarray) -> float:
    return round(float(np.sqrt(np.mean((np.asarray(original) - rebuilt) ** 2))), 6) if len(rebuilt) else 0.0
