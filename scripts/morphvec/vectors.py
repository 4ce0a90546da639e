"""Vectors: the gensim files, plain arrays, n-gram settings and word2vec files of a model.

:func:`load_gensim` opens a Facebook fastText ``.bin`` in gensim and saves it natively, each file
loadable with ``mmap='r'`` (large arrays are stored as ``.npy`` siblings, which gensim
memory-maps).  :func:`extract_vectors` writes, all in ``key_to_index`` order (row ``i`` of every
matrix is the word with id ``i``):

* ``vocab.tsv`` -- ``id``, ``word``, ``count`` (the training-corpus frequency);
* ``word_vectors.npy`` -- the word vectors exactly as ``wv.get_vector`` / fastText's
  ``get_word_vector`` return them (word row and its n-gram rows averaged);
* ``ngram_vectors.npy`` -- the character n-gram bucket matrix (``vectors_ngrams``);
* ``ngram_settings.json`` -- what it takes to compute an out-of-vocabulary vector from it;
* ``vectors.w2v.txt`` / ``vectors.w2v.bin`` -- word2vec text and binary (GoogleNews) format;
* ``output_vectors.npy`` -- the output ("out", ``syn1neg``) vectors of negative sampling, the
  second half of the dual embedding space.
"""

import contextlib
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from morphvec.formats import use_subwords
from morphvec.runtime import (
    UserInputError,
    atomic_open,
    atomic_path,
    atomic_save_dir,
    require_file,
    write_json,
)
from morphvec.schema import SCHEMA_DEFAULT, configured

log = logging.getLogger("morphvec.vectors")

# Arrays of at least this many elements go to their own .npy file, which mmap='r' maps instead
# of reading.  gensim's default (10M elements) would pickle a whole 100k-bucket model inline.
SEPARATE_ARRAYS_FROM = 65536


def _split_as_views(wv, fb_vectors) -> None:
    """gensim's ``FastTextKeyedVectors.init_post_load`` with views where it copies.

    gensim splits the ``.bin``'s one matrix into word rows and n-gram rows with ``np.array``
    copies while the whole matrix is still held, so opening a model takes the matrix twice over
    (gensim#2724: 1.7 GB for an 829 MB ``.bin``).  Views of the two parts hold the same values once.
    """
    words = len(wv)
    if fb_vectors.shape != (words + wv.bucket, wv.vector_size):
        raise RuntimeError(f"unexpected fastText matrix {fb_vectors.shape} for {words} words + {wv.bucket} buckets")
    wv.vectors_vocab = fb_vectors[:words]
    wv.vectors_ngrams = fb_vectors[words:]
    wv.recalc_char_ngram_buckets()
    wv.adjust_vectors()


@contextlib.contextmanager
def _facebook_matrix_held_once() -> Iterator[None]:
    """While ``load_facebook_model`` runs, its matrix split makes views (:func:`_split_as_views`)."""
    from gensim.models.fasttext import FastTextKeyedVectors

    original = FastTextKeyedVectors.init_post_load
    FastTextKeyedVectors.init_post_load = _split_as_views
    try:
        yield
    finally:
        FastTextKeyedVectors.init_post_load = original


@configured()
def load_gensim(
    model_bin: str | Path,
    gensim_model: str | Path,
    gensim_kv: str | Path,
    gensim_stats: str | Path | None = None,
    *,
    subwords: str = SCHEMA_DEFAULT,
) -> dict:
    """Open a Facebook fastText ``.bin`` in gensim and save it as native gensim files.

    ``gensim_model`` is ``load_facebook_model``'s full model (output layer and counts included,
    so training can continue); ``gensim_kv`` its vectors alone (what ``load_facebook_vectors``
    reads: the same loader without the output layer, so the ``.bin`` is read once, not twice).
    Both are checked to open with ``mmap='r'`` and to give the same vectors.  ``subwords`` is the
    scheme the model was trained with (the ``.bin`` cannot say): for ``syllable_jamo`` the vectors
    are recomposed from its n-grams and saved as :func:`morphvec.formats.subword_keyed_vectors_class`,
    which needs morphvec to open.
    """
    model_out, kv_out, stats_out = gensim_model, gensim_kv, gensim_stats
    from gensim.models import FastText
    from gensim.models.fasttext import FastTextKeyedVectors, load_facebook_model

    model_bin = require_file(model_bin, "fastText model", "run the train_fasttext step first")
    started = time.perf_counter()
    with _facebook_matrix_held_once():
        model = load_facebook_model(str(model_bin))
    log.info("load_facebook_model: %.2f s", time.perf_counter() - started)
    if subwords != "fasttext":
        use_subwords(model.wv, subwords)
        log.info("%s subwords: the word vectors recomposed; opening these files needs morphvec", subwords)
    save_gensim(model, model_out)
    save_gensim(model.wv, kv_out)
    wv = model.wv
    probe = wv.index_to_key[: min(100, len(wv))]
    expected = wv[probe] if probe else None
    stats = {"vocabulary": len(wv), "vector_size": wv.vector_size, "bucket": wv.bucket, "subwords": subwords}
    del model, wv  # the checks below read the saved files, memory-mapped

    # The saved files must open memory-mapped and give the same vectors.
    started = time.perf_counter()
    reopened = FastTextKeyedVectors.load(str(kv_out), mmap="r")
    log.info("memory-mapped load: %.3f s", time.perf_counter() - started)
    max_diff = float(np.max(np.abs(reopened[probe] - expected))) if probe else 0.0
    if max_diff != 0.0 or len(reopened) != stats["vocabulary"]:
        raise RuntimeError(f"{kv_out} does not reproduce the vectors of {model_bin} (diff {max_diff})")
    # Opening reads the n-gram rows of every word, so the map becomes resident: one map at a time.
    del reopened
    FastText.load(str(model_out), mmap="r")

    log.info(
        "gensim: %d words x %d dims; saved %s and %s", stats["vocabulary"], stats["vector_size"], model_out, kv_out
    )
    if stats_out is not None:
        write_json(stats_out, stats)
    return stats


# --- extraction ------------------------------------------------------------------------------

EOS = "</s>"
NGRAM_HASH = "fastText FNV-1a 32-bit over UTF-8 bytes, each byte sign-extended (int8) before the xor"


def save_gensim(obj, path: str | Path) -> None:
    """``obj.save`` (large arrays as ``.npy`` siblings, for ``mmap='r'``), reproducibly.

    gensim records "lifecycle events" (creation, training, saving) with the current date and the
    path saved to -- here a temporary directory -- in the pickle itself, so two identical models
    would differ byte for byte.  ``lifecycle_events = None`` is gensim's documented switch-off.
    A trained model also keeps ``total_train_time`` (seconds): logged, then zeroed, because
    times belong in timing files.
    """
    for part in (obj, getattr(obj, "wv", None)):
        if part is not None:
            part.lifecycle_events = None
    if getattr(obj, "total_train_time", None):
        log.info("%s: trained for %.2f s (not kept in the saved model)", path, obj.total_train_time)
        obj.total_train_time = 0.0
    with atomic_save_dir(path) as tmp:
        obj.save(tmp, sep_limit=SEPARATE_ARRAYS_FROM)


def _save_npy(path: str | Path, array: np.ndarray) -> None:
    with atomic_open(path, "wb") as handle:
        np.save(handle, np.ascontiguousarray(array, dtype=np.float32))


def fasttext_word_vectors(wv) -> np.ndarray:
    """The vectors fastText's ``get_word_vector`` gives for every vocabulary word.

    Identical to gensim's ``wv.vectors`` except for the end-of-sentence token ``</s>``: fastText
    gives it no character n-grams (``Dictionary::initNgrams`` skips EOS), so its vector is its
    word row alone, while gensim 4.4 averages in the n-grams of ``"<</s>>"`` like any word.
    fastText is the reference, so the exports follow it.
    """
    vectors = np.array(wv.vectors, dtype=np.float32)
    index = wv.key_to_index.get(EOS)
    if index is not None:
        vectors[index] = wv.vectors_vocab[index]
    return vectors


def ngram_settings_of(wv) -> dict:
    """The parameters that define how a word's character n-grams map to rows."""
    return {
        "min_n": int(wv.min_n),
        "max_n": int(wv.max_n),
        "bucket": int(wv.bucket),
        "vector_size": int(wv.vector_size),
        "vocabulary_size": len(wv.index_to_key),
        "word_boundary": ["<", ">"],
        "hash": NGRAM_HASH,
        "compatible_hash": bool(getattr(wv, "compatible_hash", True)),
        "subwords": getattr(wv, "subwords", "fasttext"),
        "oov_vector": "mean of the n-gram rows of '<' + word + '>' (zero if the word has none)",
        "in_vocab_vector": "mean of the word row and its n-gram rows (stored in word_vectors.npy)",
    }


def extract_vectors(
    gensim_model: str | Path,
    vocab: str | Path,
    word_vectors: str | Path,
    ngram_vectors: str | Path,
    ngram_settings: str | Path,
    w2v_txt: str | Path,
    w2v_bin: str | Path,
    output_vectors: str | Path,
) -> dict:
    """Extract plain arrays and standard files from a gensim fastText model (see the module docstring)."""
    from morphvec.formats import open_gensim

    model_path = require_file(gensim_model, "gensim model", "run the load_gensim step first")
    model = open_gensim(model_path, trust_pickle=True)  # the workflow's own file, written by load_gensim
    wv = model.wv
    if len(wv.key_to_index) != len(wv.vectors):  # the seed notebook's check: one vector per word
        raise RuntimeError(f"{model_path}: {len(wv.key_to_index)} words but {len(wv.vectors)} vectors")
    if not model.negative or getattr(model, "syn1neg", None) is None:
        raise UserInputError(
            f"{model_path} has no negative-sampling output layer (syn1neg)",
            "train with loss 'ns' (fastText's default for unsupervised models)",
        )

    write_vocab_tsv(vocab, wv)
    _save_npy(word_vectors, fasttext_word_vectors(wv))
    _save_npy(ngram_vectors, wv.vectors_ngrams)
    _save_npy(output_vectors, model.syn1neg)
    settings = ngram_settings_of(wv)
    write_json(ngram_settings, settings)
    with atomic_path(w2v_txt) as tmp:
        wv.save_word2vec_format(tmp, binary=False)
    with atomic_path(w2v_bin) as tmp:
        wv.save_word2vec_format(tmp, binary=True)
    log.info(
        "extracted %d words, %d n-gram buckets, output vectors %s",
        len(wv),
        wv.vectors_ngrams.shape[0],
        model.syn1neg.shape,
    )
    return settings


# --- vocab.tsv: ``id<TAB>word<TAB>count``, one owner ------------------------------------------


def write_vocab_tsv(path: str | Path, wv) -> None:
    with atomic_open(path) as out:
        out.write("id\tword\tcount\n")
        for index, word in enumerate(wv.index_to_key):
            out.write(f"{index}\t{word}\t{wv.get_vecattr(word, 'count')}\n")
