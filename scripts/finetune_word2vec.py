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

import argparse
import logging
import sys
import time
from pathlib import Path

import numpy as np

from pipeline_io import UserInputError, atomic_save_dir, require_file, run_step, snakemake_log, write_json

log = logging.getLogger("morphvec.finetune_word2vec")

WORD2VEC_DEFAULTS = {
    "sg": 1,
    "window": 5,
    "min_count": 5,
    "negative": 5,
    "sample": 1e-4,
    "alpha": 0.025,
    "epochs": 5,
    "seed": 1,
    "workers": 1,
}


def is_binary_word2vec(path: str | Path) -> bool:
    """Guess the word2vec flavour from the name: ``.bin`` (optionally ``.gz``) means binary."""
    suffixes = [s.lower() for s in Path(path).suffixes if s.lower() != ".gz"]
    return bool(suffixes) and suffixes[-1] == ".bin"


def load_pretrained(path: str | Path, binary: bool | None = None, limit: int | None = None):
    """Read word2vec-format vectors (text or binary, gzip or not), the first ``limit`` words."""
    from gensim.models import KeyedVectors

    path = require_file(path, "pretrained vectors file", "check finetune_word2vec.pretrained in the config")
    binary = is_binary_word2vec(path) if binary is None else binary
    try:
        return KeyedVectors.load_word2vec_format(str(path), binary=binary, limit=limit)
    except (ValueError, UnicodeDecodeError, EOFError, OSError) as error:
        flavour = "binary" if binary else "text"
        raise UserInputError(
            f"{path}: cannot read it as {flavour} word2vec format ({error})\n"
            "  fix: set finetune_word2vec.binary to match the file (true for GoogleNews-style .bin)"
        ) from None


def intersect_pretrained(model, pretrained, lockf: float = 1.0) -> np.ndarray:
    """Copy pretrained vectors into ``model`` for the shared words; return their indices.

    Also sizes ``model.wv.vectors_lockf`` to the vocabulary (gensim#3094) with ``lockf`` for
    the copied words and 1.0 for the rest.
    """
    wv = model.wv
    if pretrained.vector_size != wv.vector_size:
        raise UserInputError(
            f"pretrained vectors have {pretrained.vector_size} dimensions, the model {wv.vector_size}\n"
            "  fix: leave finetune_word2vec.vector_size unset (it follows the pretrained file) or match it"
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


def build_model(tokens: str | Path, vector_size: int, settings: dict):
    from gensim.models import Word2Vec

    model = Word2Vec(vector_size=vector_size, **settings)
    model.build_vocab(corpus_file=str(tokens))
    if len(model.wv) == 0:
        raise UserInputError(f"{tokens}: no word reaches min_count={settings['min_count']}\n  fix: lower it")
    return model


def finetune_word2vec(
    tokens: str | Path,
    pretrained_path: str | Path,
    model_out: str | Path,
    stats_out: str | Path | None = None,
    *,
    binary: bool | None = None,
    limit: int | None = None,
    lockf: float = 1.0,
    vector_size: int | None = None,
    params: dict | None = None,
    probe_words: list[str] | None = None,
) -> dict:
    """Build, initialise from ``pretrained_path``, train on ``tokens``, save; return statistics.

    For the probe words that start from pretrained vectors (or, without any, the five most
    frequent such words) the nearest neighbours before and after training are recorded.
    """
    tokens = require_file(tokens, "tokenized corpus", "run the tokenize step first")
    unknown = sorted(set(params or {}) - set(WORD2VEC_DEFAULTS))
    if unknown:
        raise UserInputError(f"unknown word2vec parameter(s) {unknown}\n  fix: use {sorted(WORD2VEC_DEFAULTS)}")
    settings = {**WORD2VEC_DEFAULTS, **(params or {})}
    pretrained = load_pretrained(pretrained_path, binary, limit)
    if vector_size is not None and vector_size != pretrained.vector_size:
        raise UserInputError(
            f"finetune_word2vec.vector_size is {vector_size} but {pretrained_path} has "
            f"{pretrained.vector_size}-dimensional vectors\n  fix: remove vector_size or set it to "
            f"{pretrained.vector_size}"
        )
    model = build_model(tokens, pretrained.vector_size, settings)
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
    with atomic_save_dir(model_out) as tmp:
        model.save(tmp)

    final = model.wv.vectors[indices]
    moved = np.linalg.norm(final - initial, axis=1)
    norms = np.linalg.norm(initial, axis=1) * np.linalg.norm(final, axis=1)
    cosine = np.sum(final * initial, axis=1) / np.where(norms > 0, norms, 1.0)
    stats = {
        "pretrained": str(pretrained_path),
        "pretrained_words_read": len(pretrained),
        "vocabulary": len(model.wv),
        "initialised_from_pretrained": len(indices),
        "initialised_share": round(len(indices) / len(model.wv), 6),
        "lockf": lockf,
        "params": {**settings, "vector_size": pretrained.vector_size},
        "seconds": round(seconds, 3),
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
    log.info("trained in %.1f s; pretrained words moved %s", seconds, stats["movement"])
    if stats_out is not None:
        write_json(stats_out, stats)
    return stats


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tokens", help="tokenized corpus, one document per line")
    parser.add_argument("pretrained", help="word2vec-format vectors (.txt/.vec or .bin, optionally .gz)")
    parser.add_argument("model_out", help="output: gensim Word2Vec model")
    parser.add_argument("--stats", help="output: statistics as JSON")
    flavour = parser.add_mutually_exclusive_group()
    flavour.add_argument("--binary", dest="binary", action="store_true", default=None)
    flavour.add_argument("--text", dest="binary", action="store_false")
    parser.add_argument("--limit", type=int, help="read only the first N pretrained vectors")
    parser.add_argument("--lockf", type=float, default=1.0, help="update scale for pretrained words")
    parser.add_argument("--vector-size", type=int, help="must match the pretrained dimension")
    for name, default in WORD2VEC_DEFAULTS.items():
        parser.add_argument(f"--{name.replace('_', '-')}", dest=name, type=type(default), default=default)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = vars(build_parser().parse_args(argv))
    params = {name: args[name] for name in WORD2VEC_DEFAULTS}
    return run_step(
        lambda: finetune_word2vec(
            args["tokens"],
            args["pretrained"],
            args["model_out"],
            args["stats"],
            binary=args["binary"],
            limit=args["limit"],
            lockf=args["lockf"],
            vector_size=args["vector_size"],
            params=params,
        )
    )


if "snakemake" in globals():
    sm = globals()["snakemake"]
    sys.exit(
        run_step(
            lambda: finetune_word2vec(
                sm.input.tokens,
                sm.input.pretrained,
                sm.output.model,
                sm.output.stats,
                **sm.params.options,
            ),
            snakemake_log(sm),
        )
    )
elif __name__ == "__main__":
    sys.exit(main())
