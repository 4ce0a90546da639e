"""Fine-tune word2vec on the tokenized corpus, starting from pretrained word2vec-format vectors.

The vocabulary comes from the corpus; wherever it meets the pretrained vocabulary (exact
match, like gensim's ``intersect_word2vec_format``) the word starts from its pretrained vector,
every other word from gensim's random initialisation; then the model is trained on the corpus.
``lockf`` scales the updates of the pretrained words: 1.0 (default) trains them freely, 0.0
freezes them.

Why not ``KeyedVectors.intersect_word2vec_format``: in gensim 4.4 it reads binary files with
``np.fromstring``, which numpy >= 2.3 no longer accepts, and it leaves ``vectors_lockf`` at its
one-element default, so the per-word ``lockf`` it writes is indexed out of range and training
ignores it (piskvorky/gensim#3094).  Here the pretrained file is read with
``load_word2vec_format`` (which works) and ``vectors_lockf`` is sized to the vocabulary.
"""

import logging
import time
from pathlib import Path

import numpy as np

from morphvec import provenance
from morphvec.formats import read_word2vec
from morphvec.runtime import UserInputError, require_file, write_json
from morphvec.schema import SCHEMA_DEFAULT, configured
from morphvec.vectors import save_gensim

log = logging.getLogger("morphvec.finetune_word2vec")


def load_pretrained(path: str | Path, binary: bool | None = None, limit: int | None = None):
    """Read word2vec-format vectors (text or binary, gzip or not), the first ``limit`` words."""
    return read_word2vec(path, binary, limit, what="pretrained vectors file")


def intersect_pretrained(model, pretrained, lockf: float = 1.0) -> np.ndarray:
    """Copy pretrained vectors into ``model`` for the shared words; return their indices.

    Also sizes ``model.wv.vectors_lockf`` to the vocabulary (gensim#3094) with ``lockf`` for
    the copied words and 1.0 for the rest.
    """
    wv = model.wv
    if pretrained.vector_size != wv.vector_size:
        raise UserInputError(
            f"pretrained vectors have {pretrained.vector_size} dimensions, the model {wv.vector_size}",
            "leave finetune_word2vec.vector_size unset (it follows the pretrained file) or match it",
        )
    shared = [
        (index, pretrained.key_to_index[word]) for index, word in enumerate(wv.index_to_key) if word in pretrained
    ]
    indices = np.array([i for i, _ in shared], dtype=np.int64)
    if len(shared):
        wv.vectors[indices] = pretrained.vectors[[j for _, j in shared]]
    wv.vectors_lockf = np.ones(len(wv), dtype=np.float32)
    wv.vectors_lockf[indices] = lockf
    return indices


def _neighbours(wv, words: list[str], topn: int = 8) -> dict:
    wv.fill_norms(force=True)  # vectors change in training: never reuse stale norms
    return {w: [[o, round(float(c), 4)] for o, c in wv.most_similar(w, topn=topn)] for w in words}


def _build_model(tokens: str | Path, vector_size: int, settings: dict):
    from gensim.models import Word2Vec

    model = Word2Vec(vector_size=vector_size, **settings)
    model.build_vocab(corpus_file=str(tokens))
    if len(model.wv) == 0:
        raise UserInputError(f"{tokens}: no word reaches min_count={settings['min_count']}", "lower it")
    return model


@configured("finetune_word2vec", "evaluation")
def finetune_word2vec(
    tokens: str | Path,
    pretrained: str | Path,
    finetune_model: str | Path,
    finetune_stats: str | Path | None = None,
    *,
    binary: bool | None = SCHEMA_DEFAULT,
    limit: int | None = SCHEMA_DEFAULT,
    lockf: float = SCHEMA_DEFAULT,
    vector_size: int | None = SCHEMA_DEFAULT,
    sg: int = SCHEMA_DEFAULT,
    window: int = SCHEMA_DEFAULT,
    min_count: int = SCHEMA_DEFAULT,
    negative: int = SCHEMA_DEFAULT,
    sample: float = SCHEMA_DEFAULT,
    alpha: float = SCHEMA_DEFAULT,
    epochs: int = SCHEMA_DEFAULT,
    seed: int = SCHEMA_DEFAULT,
    workers: int = SCHEMA_DEFAULT,
    probe_words: list[str] = SCHEMA_DEFAULT,
) -> dict:
    """Fine-tune word2vec on a tokenized corpus, starting from pretrained word2vec-format vectors.

    Build the vocabulary from ``tokens``, initialise the shared words from ``pretrained``, train,
    save.  The word2vec keywords (``sg`` ... ``workers``) are gensim ``Word2Vec``'s own.  For the
    probe words that start from pretrained vectors (or, without any, the five most frequent
    such words) the nearest neighbours before and after training are recorded.
    """
    pretrained_path, model_out, stats_out = pretrained, finetune_model, finetune_stats
    settings = {"sg": sg, "window": window, "min_count": min_count, "negative": negative, "sample": sample}
    settings.update(alpha=alpha, epochs=epochs, seed=seed, workers=workers)
    tokens = require_file(tokens, "tokenized corpus", "run the tokenize step first")
    pretrained = load_pretrained(pretrained_path, binary, limit)
    if vector_size is not None and vector_size != pretrained.vector_size:
        raise UserInputError(
            f"finetune_word2vec.vector_size is {vector_size} but {pretrained_path} has "
            f"{pretrained.vector_size}-dimensional vectors",
            f"remove vector_size or set it to {pretrained.vector_size}",
        )
    model = _build_model(tokens, pretrained.vector_size, settings)
    indices = intersect_pretrained(model, pretrained, lockf)
    initial = model.wv.vectors[indices].copy()
    initialised = {model.wv.index_to_key[i] for i in indices}
    watched = [w for w in (probe_words or []) if w in initialised] or [model.wv.index_to_key[i] for i in indices[:5]]
    neighbours_before = _neighbours(model.wv, watched)
    log.info(
        "initialised %d of %d words from %s (%d pretrained words read)",
        len(indices),
        len(model.wv),
        pretrained_path,
        len(pretrained),
    )
    started = time.perf_counter()
    model.train(
        corpus_file=str(tokens),
        total_examples=model.corpus_count,
        total_words=model.corpus_total_words,
        epochs=model.epochs,
    )
    seconds = time.perf_counter() - started
    save_gensim(model, model_out)

    final = model.wv.vectors[indices]
    moved = np.linalg.norm(final - initial, axis=1)
    norms = np.linalg.norm(initial, axis=1) * np.linalg.norm(final, axis=1)
    cosine = np.sum(final * initial, axis=1) / np.where(norms > 0, norms, 1.0)
    stats = {
        "pretrained": str(pretrained_path),
        "pretrained_file": provenance.file_record(pretrained_path),
        "pretrained_words_read": len(pretrained),
        "vocabulary": len(model.wv),
        "initialised_from_pretrained": len(indices),
        "initialised_share": round(len(indices) / len(model.wv), 6),
        "lockf": lockf,
        "params": {**settings, "vector_size": pretrained.vector_size},
        "movement": {
            "l2_mean": float(moved.mean()) if len(moved) else None,
            "l2_median": float(np.median(moved)) if len(moved) else None,
            "l2_max": float(moved.max()) if len(moved) else None,
            "relative_l2_mean": float(np.mean(moved / np.maximum(np.linalg.norm(initial, axis=1), 1e-12)))
            if len(moved)
            else None,
            "cosine_to_initial_mean": float(cosine.mean()) if len(moved) else None,
        },
        "initialised_words_sample": [model.wv.index_to_key[i] for i in indices[:20]],
        "neighbours_before": neighbours_before,
        "neighbours_after": _neighbours(model.wv, watched),
    }
    log.info("trained in %.1f s; pretrained words moved %s", seconds, stats["movement"])  # times: log only
    if stats_out is not None:
        write_json(stats_out, stats)
    return stats
