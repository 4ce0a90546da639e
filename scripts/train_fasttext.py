"""Train unsupervised fastText embeddings; write a Facebook-format ``.bin`` and a ``.vec``.

Two trainers write the same kind of model, so every later step works on either:

* ``fasttext`` (default) -- the official binding, ``fasttext.train_unsupervised``;
* ``gensim`` -- gensim's own ``FastText`` (``corpus_file`` mode, about twice as fast), saved
  with ``save_facebook_model`` so that the official ``fasttext.load_model`` opens it.

Every fastText hyper-parameter of ``train_unsupervised`` is passed through under fastText's
own name (``dim``, ``minCount``, ``ws``, ``t``, ...), so settings copy over from its docs.

Known fastText 0.9.x bug (facebookresearch/fastText#1061, #935): ``DenseMatrix::uniform``
splits the input matrix into 10 blocks but starts only ``thread`` workers, one per block, so
with fewer than 10 threads only ``thread/10`` of the rows get their random initial values.
Worse, in 0.9.3 the matrix lives in an ``intgemm::AlignedVector`` (``posix_memalign``), which
is *not* zeroed: the skipped rows hold whatever the memory held.  In a fresh process a large
allocation is fresh zero pages from ``mmap``, but a second training in the same process (or a
small matrix carved from a reused heap) starts from garbage -- seen here as different vectors
on every run and ``RuntimeError: Encountered NaN``.

What this step does about it:

1. fastText trains in a child process with glibc's ``mmap_threshold`` lowered to 128 KiB, so the
   matrix is always fresh zero pages: the skipped rows start at exactly zero, deterministically.
2. Rows that training touches move away from zero; n-gram bucket rows that no training word
   hashes into stay exactly zero, and an out-of-vocabulary word whose n-grams land only there
   would get a zero vector (NaN wherever it is normalised).  With ``fill_untrained_ngrams`` (on
   by default) every n-gram row still exactly zero after training gets the value fastText
   intended, uniform in ``[-1/dim, 1/dim]`` (seeded), and the model is saved with
   ``set_matrices``.  Word rows and every trained row stay bit-for-bit as fastText produced them.

The share of all-zero n-gram rows before and after the fill is recorded in the stats.
(``thread >= 10`` initialises every block, but multi-threaded training is not reproducible.)
"""

import argparse
import contextlib
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from pipeline_io import UserInputError, atomic_path, require_file, run_step, snakemake_log, write_json

log = logging.getLogger("morphvec.train_fasttext")

TRAINERS = ("fasttext", "gensim")

# fastText's own names and defaults for unsupervised training (fasttext 0.9.3).
FASTTEXT_DEFAULTS = {
    "model": "skipgram",
    "dim": 100,
    "epoch": 5,
    "lr": 0.05,
    "minCount": 5,
    "minn": 3,
    "maxn": 6,
    "bucket": 2000000,
    "ws": 5,
    "neg": 5,
    "t": 1e-4,
    "lrUpdateRate": 100,
    "thread": 1,
    "seed": 0,
}


def zero_ngram_rows(input_matrix: np.ndarray, n_words: int) -> np.ndarray:
    """Boolean mask of the n-gram bucket rows (after the word rows) that are exactly zero."""
    return ~np.any(input_matrix[n_words:], axis=1)


def fill_zero_ngram_rows(input_matrix: np.ndarray, n_words: int, seed: int, zero: np.ndarray | None = None) -> int:
    """Give never-initialised n-gram rows fastText's intended uniform(-1/dim, 1/dim) values.

    ``zero`` is the :func:`zero_ngram_rows` mask if the caller has it already.  Modifies
    ``input_matrix`` in place and returns how many rows were filled.  (In-place arithmetic and
    the SFC64 generator keep this near a second for a 2M-bucket model.)
    """
    zero = zero_ngram_rows(input_matrix, n_words) if zero is None else zero
    rows = np.flatnonzero(zero) + n_words
    if len(rows):
        dim = input_matrix.shape[1]
        values = np.random.Generator(np.random.SFC64(seed)).random((len(rows), dim), dtype=np.float32)
        values *= 2.0
        values -= 1.0
        values /= dim
        input_matrix[rows] = values
    return len(rows)


def _train_unsupervised(tokens: str, settings: dict):
    """``fasttext.train_unsupervised`` with a working ``seed``.

    fastText 0.9.3's binding rejects ``seed=`` (it is missing from the keyword list of
    ``train_unsupervised``; facebookresearch/fastText#776, #885) although ``Args`` has the field
    and the binding copies its module-level defaults into ``Args`` one by one.  Setting the
    seed there for the duration of the call is the smallest way to pass it through.
    """
    from fasttext import FastText

    options = dict(settings)
    seed = options.pop("seed")
    saved = FastText.unsupervised_default["seed"]
    FastText.unsupervised_default["seed"] = seed
    try:
        return FastText.train_unsupervised(tokens, verbose=2, **options)
    finally:
        FastText.unsupervised_default["seed"] = saved


def gensim_settings(settings: dict) -> dict:
    """fastText's parameters under gensim ``FastText``'s names (``lrUpdateRate`` has none)."""
    return {
        "sg": 1 if settings["model"] == "skipgram" else 0,
        "vector_size": settings["dim"],
        "epochs": settings["epoch"],
        "alpha": settings["lr"],
        "min_alpha": 0.0,  # fastText decays the learning rate linearly to zero
        "min_count": settings["minCount"],
        "min_n": settings["minn"],
        "max_n": settings["maxn"],
        "bucket": settings["bucket"],
        "window": settings["ws"],
        "negative": settings["neg"],
        "sample": settings["t"],
        "workers": settings["thread"],
        "seed": settings["seed"],
    }


def _train_with_gensim(tokens: str, settings: dict, model_bin: str):
    """Train gensim's FastText, save it in Facebook's format and open that with fastText."""
    import fasttext
    from gensim.models import FastText
    from gensim.models.fasttext import save_facebook_model

    model = FastText(**gensim_settings(settings))
    model.build_vocab(corpus_file=tokens)
    if len(model.wv) == 0:
        raise RuntimeError(f"no word reaches minCount={settings['minCount']}")
    model.train(
        corpus_file=tokens,
        total_examples=model.corpus_count,
        total_words=model.corpus_total_words,
        epochs=model.epochs,
    )
    save_facebook_model(model, model_bin, lr_update_rate=settings["lrUpdateRate"])
    return fasttext.load_model(model_bin)


def write_vec(model, path: str | Path) -> None:
    """The text ``.vec`` file that fastText's CLI writes (5 significant digits, ``</s>`` included)."""
    words = model.get_words()
    row_format = " ".join(["%.5g"] * model.get_dimension()) + " \n"
    with open(path, "w", encoding="utf-8") as out:
        out.write(f"{len(words)} {model.get_dimension()}\n")
        for word in words:
            out.write(word + " " + row_format % tuple(model.get_word_vector(word).tolist()))


def build_model(tokens: str, settings: dict, trainer: str, fill: bool, model_bin: str, model_vec: str | None) -> dict:
    """Train, repair the never-initialised n-gram rows, save ``.bin`` (and ``.vec``): the child's work.

    Runs in a fresh process (see :func:`train_fasttext`) so that the model is trained, repaired
    and saved without being written and read back in between.
    """
    started = time.perf_counter()
    if trainer == "fasttext":
        model = _train_unsupervised(tokens, settings)
    else:
        model = _train_with_gensim(tokens, settings, model_bin)
    train_seconds = time.perf_counter() - started

    n_words = len(model.get_words())
    input_matrix = model.get_input_matrix()
    zero_before = zero_ngram_rows(input_matrix, n_words)
    filled = 0
    if fill and zero_before.any():
        filled = fill_zero_ngram_rows(input_matrix, n_words, settings["seed"] + 1, zero_before)
        model.set_matrices(input_matrix, model.get_output_matrix())
    zero_after = int(zero_before.sum()) - filled
    if trainer == "fasttext" or filled:  # the gensim trainer saved the .bin already
        model.save_model(model_bin)
    if model_vec is not None:
        write_vec(model, model_vec)
    n_buckets = int(input_matrix.shape[0] - n_words)
    return {
        "trainer": trainer,
        "params": settings,
        "seconds": round(train_seconds, 3),
        "words": n_words,
        "buckets": n_buckets,
        "zero_ngram_rows": {
            "before_fix": int(zero_before.sum()),
            "before_fix_share": round(float(zero_before.mean()), 6) if n_buckets else 0.0,
            "filled": filled,
            "after_fix": zero_after,
            "after_fix_share": round(zero_after / n_buckets, 6) if n_buckets else 0.0,
        },
    }


# The child: build the model, print its statistics (or fastText's error) as one JSON line.
_CHILD = """
import json, sys
sys.path.insert(0, sys.argv[1])
from train_fasttext import build_model
try:
    stats = build_model(*json.loads(sys.argv[2]))
except RuntimeError as error:
    print(json.dumps({"error": str(error)}))
    sys.exit(3)
print(json.dumps(stats))
"""
# glibc serves allocations of at least this size with mmap, i.e. fresh zero pages.
_MMAP_THRESHOLD = 128 * 1024


def _readable_progress(output: str) -> str:
    """fastText's stderr without its thousands of '\r'-rewritten progress lines (the last is kept)."""
    lines = [line for line in output.replace("\r", "\n").split("\n") if line.strip()]
    progress = [line for line in lines if line.startswith("Progress:")]
    return "\n".join([line for line in lines if not line.startswith("Progress:")] + progress[-1:]) + "\n"


def train_fasttext(
    tokens: str | Path,
    model_bin: str | Path,
    model_vec: str | Path | None = None,
    stats_out: str | Path | None = None,
    *,
    params: dict | None = None,
    fill_untrained_ngrams: bool = True,
    trainer: str = "fasttext",
) -> dict:
    """Train on a tokenized corpus (one document per line) and save the model.

    The work runs in a child process whose large allocations are fresh zero pages (glibc
    ``mmap_threshold`` lowered): see the module docstring for why.
    """
    tokens = require_file(tokens, "tokenized corpus", "run the tokenize step first")
    unknown = sorted(set(params or {}) - set(FASTTEXT_DEFAULTS))
    if unknown:
        raise UserInputError(
            f"unknown fastText parameter(s) {unknown}\n  fix: use fastText's names: {sorted(FASTTEXT_DEFAULTS)}"
        )
    if trainer not in TRAINERS:
        raise UserInputError(f"unknown trainer {trainer!r}\n  fix: use one of {TRAINERS}")
    settings = {**FASTTEXT_DEFAULTS, **(params or {})}
    if tokens.stat().st_size == 0:
        raise UserInputError(f"{tokens} is empty: there is nothing to train on")
    log.info("training with %s on %s: %s", trainer, tokens, settings)

    env = dict(os.environ)
    tunable = f"glibc.malloc.mmap_threshold={_MMAP_THRESHOLD}"
    env["GLIBC_TUNABLES"] = ":".join(filter(None, [env.get("GLIBC_TUNABLES"), tunable]))
    with contextlib.ExitStack() as stack:
        tmp_bin = stack.enter_context(atomic_path(model_bin, suffix=".bin"))
        tmp_vec = stack.enter_context(atomic_path(model_vec, suffix=".vec")) if model_vec is not None else None
        job = [str(tokens), settings, trainer, fill_untrained_ngrams, tmp_bin, tmp_vec]
        child = subprocess.run(
            [sys.executable, "-c", _CHILD, str(Path(__file__).parent), json.dumps(job)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        sys.stderr.write(_readable_progress(child.stderr))  # fastText's own output, for the log
        lines = child.stdout.strip().splitlines()
        result = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
        if child.returncode != 0 or "error" in result:
            reason = result.get("error") or (child.stderr.strip().splitlines() or [f"exit {child.returncode}"])[-1]
            raise UserInputError(
                f"{trainer} could not train on {tokens}: {reason}\n"
                "  fix: check the corpus is not empty, lower fasttext.minCount, or lower fasttext.lr if it diverged"
            )
    stats = result
    zero = stats["zero_ngram_rows"]
    log.info(
        "trained %d words in %.1f s; all-zero n-gram rows: %.1f%% before the fix, %.1f%% after (%d filled)",
        stats["words"],
        stats["seconds"],
        100 * zero["before_fix_share"],
        100 * zero["after_fix_share"],
        zero["filled"],
    )
    if stats_out is not None:
        write_json(stats_out, stats)
    return stats


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tokens", help="tokenized corpus, one document per line")
    parser.add_argument("model_bin", help="output fastText .bin")
    parser.add_argument("--vec", help="output fastText .vec text file")
    parser.add_argument("--stats", help="output training statistics as JSON")
    parser.add_argument("--trainer", default="fasttext", choices=TRAINERS)
    parser.add_argument(
        "--no-fill-untrained-ngrams",
        dest="fill_untrained_ngrams",
        action="store_false",
        help="keep fastText#1061's all-zero n-gram rows as they are",
    )
    for name, default in FASTTEXT_DEFAULTS.items():
        parser.add_argument(f"--{name}", type=type(default), default=default, help=f"(default {default})")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = vars(build_parser().parse_args(argv))
    params = {name: args[name] for name in FASTTEXT_DEFAULTS}
    return run_step(
        lambda: train_fasttext(
            args["tokens"],
            args["model_bin"],
            args["vec"],
            args["stats"],
            params=params,
            fill_untrained_ngrams=args["fill_untrained_ngrams"],
            trainer=args["trainer"],
        )
    )


if "snakemake" in globals():
    sm = globals()["snakemake"]
    sys.exit(
        run_step(
            lambda: train_fasttext(
                sm.input.tokens,
                sm.output.bin,
                sm.output.vec,
                sm.output.stats,
                params=sm.params.fasttext,
                fill_untrained_ngrams=sm.params.fill_untrained_ngrams,
                trainer=sm.params.trainer,
            ),
            snakemake_log(sm),
        )
    )
elif __name__ == "__main__":
    sys.exit(main())
