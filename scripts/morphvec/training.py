"""Training: unsupervised fastText embeddings, written as a Facebook-format ``.bin`` and a ``.vec``.

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

1. fastText trains in a child process (``python -m morphvec.training``, given a job dict as JSON
   on stdin) with glibc's ``mmap_threshold`` lowered to 128 KiB, so a large matrix is fresh
   zero pages; a matrix that may be smaller (few buckets) comes from the heap, so for it glibc's
   ``perturb`` zero-fills every allocation too: the skipped rows start at exactly zero,
   deterministically.  (``perturb`` is left off for large matrices: it writes every page of
   every allocation, which made all 800 MB of a 2M-bucket matrix resident, 1.7x the bare call's
   peak memory, and slowed training.)
2. Rows that training touches move away from zero; n-gram bucket rows that no training word
   hashes into stay exactly zero, and an out-of-vocabulary word whose n-grams land only there
   would get a zero vector (NaN wherever it is normalised).  With ``fill_untrained_ngrams`` (on
   by default) every n-gram row still exactly zero after training gets the value fastText
   intended, uniform in ``[-1/dim, 1/dim]`` (seeded), written into the saved ``.bin`` in place
   (:func:`fill_zero_ngram_rows_in_file`).  Word rows and every trained row stay bit-for-bit as
   fastText produced them.

The share of all-zero n-gram rows before and after the fill is recorded in the stats.
(``thread >= 10`` initialises every block, but multi-threaded training is not reproducible.)
"""

import contextlib
import errno
import json
import logging
import os
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path

import numpy as np

from morphvec import schema
from morphvec.corpus import check_utf8
from morphvec.runtime import UserInputError, atomic_path, require_file, write_json
from morphvec.schema import SCHEMA_DEFAULT, configured

log = logging.getLogger("morphvec.train_fasttext")

TRAINERS = ("fasttext", "gensim")


def zero_ngram_rows(input_matrix: np.ndarray, n_words: int) -> np.ndarray:
    """Boolean mask of the n-gram bucket rows (after the word rows) that are exactly zero."""
    return ~np.any(input_matrix[n_words:], axis=1)


def _uniform_rows(generator: np.random.Generator, count: int, dim: int) -> np.ndarray:
    """fastText's intended initial values, uniform in [-1/dim, 1/dim] (float32, in place: fast)."""
    values = generator.random((count, dim), dtype=np.float32)
    values *= 2.0
    values -= 1.0
    values /= dim
    return values


def fill_zero_ngram_rows(input_matrix: np.ndarray, n_words: int, seed: int, zero: np.ndarray | None = None) -> int:
    """Give never-initialised n-gram rows fastText's intended uniform(-1/dim, 1/dim) values.

    ``zero`` is the :func:`zero_ngram_rows` mask if the caller has it already.  Modifies
    ``input_matrix`` in place and returns how many rows were filled.
    """
    zero = zero_ngram_rows(input_matrix, n_words) if zero is None else zero
    rows = np.flatnonzero(zero) + n_words
    if len(rows):
        generator = np.random.Generator(np.random.SFC64(seed))
        input_matrix[rows] = _uniform_rows(generator, len(rows), input_matrix.shape[1])
    return len(rows)


def fill_zero_ngram_rows_in_file(
    path: str, n_words: int, rows: int, dim: int, seed: int, fill: bool
) -> tuple[int, int]:
    """:func:`fill_zero_ngram_rows` on the input matrix of a saved ``.bin``, in place, in blocks.

    ``rows`` is the input matrix's row count (words + buckets).  The matrices are the file's
    last bytes (input, then output with one row per word: each a quantization flag, rows and
    columns as int64, then the floats), so the input matrix is found from the end; its own
    ``rows, dim`` header is checked.  Working on the file in 16 MiB blocks keeps memory at
    fastText's own, where copying the matrix out of fastText and back (``get_input_matrix`` +
    ``set_matrices``) held it three times over.  One generator across the blocks draws the same
    values as one call over all zero rows.  Returns ``(zero rows, rows filled)``.
    """
    row_bytes = 4 * dim
    with open(path, "r+b") as handle:
        input_end = handle.seek(0, os.SEEK_END) - (1 + 16 + n_words * row_bytes)
        handle.seek(input_end - rows * row_bytes - 16)
        header = np.frombuffer(handle.read(16), dtype=np.int64)
        if header.tolist() != [rows, dim]:
            raise RuntimeError(f"{path}: input matrix header {header.tolist()}, expected {[rows, dim]}")
        first = input_end - (rows - n_words) * row_bytes  # the first n-gram row
        generator = np.random.Generator(np.random.SFC64(seed))
        zero_total = filled = 0
        buffer = np.empty((max(1, (16 << 20) // row_bytes), dim), dtype=np.float32)  # one block, reused
        for start in range(0, rows - n_words, len(buffer)):
            block = buffer[: min(len(buffer), rows - n_words - start)]
            handle.seek(first + start * row_bytes)
            if handle.readinto(block) != block.nbytes:
                raise RuntimeError(f"{path}: the input matrix ends early")
            zero = ~block.any(axis=1)
            zero_total += int(zero.sum())
            if fill and zero.any():
                block[zero] = _uniform_rows(generator, int(zero.sum()), dim)
                handle.seek(first + start * row_bytes)
                handle.write(block)
                filled += int(zero.sum())
    return zero_total, filled


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


def _train_with_gensim(
    tokens: str, settings: dict, model_bin: str, subwords: str = "fasttext", model_vec: str | None = None
):
    """Train gensim's FastText, save it in Facebook's format and open that with fastText.  For
    ``subwords`` other than fastText's the ``.vec`` is written here, from gensim's vectors:
    fastText would compute its own n-grams from the ``.bin``."""
    import fasttext
    from gensim.models import FastText
    from gensim.models.fasttext import save_facebook_model

    from morphvec.formats import use_subwords

    model = FastText(**gensim_settings(settings))
    model.build_vocab(corpus_file=tokens)
    if len(model.wv) == 0:
        raise RuntimeError(f"no word reaches minCount={settings['minCount']}")
    use_subwords(model.wv, subwords)  # the word n-gram lists gensim's trainer reads (wv.buckets_word)
    model.train(
        corpus_file=tokens,
        total_examples=model.corpus_count,
        total_words=model.corpus_total_words,
        epochs=model.epochs,
    )
    save_facebook_model(model, model_bin, lr_update_rate=settings["lrUpdateRate"])
    if subwords != "fasttext" and model_vec is not None:
        write_vec(model.wv, model_vec)
    del model  # before fastText opens the same matrix
    return fasttext.load_model(model_bin)


def expected_bin_size(model) -> int:
    """The size of the ``.bin`` fastText's ``save_model`` writes for an unquantized model.

    ``save_model`` ignores write errors (a full disk, a file-size limit) and returns normally, so
    the file's size is the only witness that it is complete.  Layout (fastText 0.9 ``FastText::
    saveModel``): magic + version (8 bytes), ``Args`` (12 int32 + 1 double = 56), the dictionary
    header (3 int32 + 2 int64 = 28) and per entry its UTF-8 bytes, a NUL, an int64 count and an
    int8 type; then for each matrix a quantization flag (1) and rows + columns (2 int64) + floats.
    """
    words = model.get_words()
    entries = sum(len(word.encode("utf-8")) + 1 + 8 + 1 for word in words)
    rows = input_rows(model)
    matrices = (1 + 16 + 4 * rows * model.get_dimension()) + (1 + 16 + 4 * len(words) * model.get_dimension())
    return 8 + 56 + 28 + entries + matrices


def input_rows(model) -> int:
    """Rows of fastText's input matrix: one per word, then one per hash bucket (allocated even
    without n-grams).  Read from the model's settings: ``get_input_matrix`` would copy the matrix."""
    return len(model.get_words()) + model.f.getArgs().bucket


def save_bin(model, path: str) -> None:
    """``model.save_model`` that notices an incomplete file (fastText does not check its writes)."""
    model.save_model(path)
    expected, written = expected_bin_size(model), os.path.getsize(path)
    if written != expected:
        error = OSError(
            errno.ENOSPC, f"fastText wrote {written:,} of {expected:,} bytes (disk full or a file-size limit?)"
        )
        error.filename = path
        raise error


def write_vec(model, path: str | Path) -> None:
    """The text ``.vec`` file that fastText's CLI writes (5 significant digits, ``</s>`` included),
    from a fastText model or from gensim's vectors (``FastTextKeyedVectors``)."""
    if hasattr(model, "get_words"):
        words, dim, vector = model.get_words(), model.get_dimension(), model.get_word_vector
    else:
        words, dim, vector = model.index_to_key, model.vector_size, model.get_vector
    row_format = " ".join(["%.5g"] * dim) + " \n"
    with open(path, "w", encoding="utf-8") as out:
        out.write(f"{len(words)} {dim}\n")
        for word in words:
            out.write(word + " " + row_format % tuple(vector(word).tolist()))


def build_model(job: dict) -> dict:
    """Train, save ``.bin`` (and ``.vec``), repair the never-initialised n-gram rows: the child's work.

    ``job`` has ``tokens``, ``fasttext`` (the settings), ``trainer``, ``fill_untrained_ngrams``,
    ``model_bin`` and ``model_vec`` (or None).  Runs in a fresh process (see
    :func:`train_fasttext`); the rows are repaired in the saved file, block by block, so the
    matrix is never copied out of fastText.
    """
    tokens, settings, trainer = job["tokens"], job["fasttext"], job["trainer"]
    model_bin, model_vec = job["model_bin"], job["model_vec"]
    started = time.perf_counter()
    subwords = job.get("subwords", "fasttext")
    if trainer == "fasttext":
        model = _train_unsupervised(tokens, settings)
    else:
        model = _train_with_gensim(tokens, settings, model_bin, subwords, model_vec)
    print(f"trained in {time.perf_counter() - started:.1f} s", file=sys.stderr)  # for the log; not in the stats

    n_words = len(model.get_words())
    started = time.perf_counter()
    if trainer == "fasttext":  # the gensim trainer saved the .bin already
        save_bin(model, model_bin)
    rows = input_rows(model)
    zero_before, filled = fill_zero_ngram_rows_in_file(
        model_bin, n_words, rows, model.get_dimension(), settings["seed"] + 1, job["fill_untrained_ngrams"]
    )
    zero_after = zero_before - filled
    saved = time.perf_counter()
    if model_vec is not None and subwords == "fasttext":  # the vocabulary's n-gram rows were all trained
        write_vec(model, model_vec)
    vec_seconds = time.perf_counter() - saved
    print(f"saved and repaired in {saved - started:.1f} s, .vec in {vec_seconds:.1f} s", file=sys.stderr)
    n_buckets = rows - n_words
    return {
        "trainer": trainer,
        "subwords": subwords,
        "params": settings,
        "words": n_words,
        "buckets": n_buckets,
        "zero_ngram_rows": {
            "before_fix": zero_before,
            "before_fix_share": round(zero_before / n_buckets, 6) if n_buckets else 0.0,
            "filled": filled,
            "after_fix": zero_after,
            "after_fix_share": round(zero_after / n_buckets, 6) if n_buckets else 0.0,
        },
    }


# glibc serves allocations of at least this size with mmap, i.e. fresh zero pages.
_MMAP_THRESHOLD = 128 * 1024


def _readable_progress(output: str) -> str:
    """fastText's stderr without its thousands of '\r'-rewritten progress lines (the last is kept)."""
    lines = [line for line in output.replace("\r", "\n").split("\n") if line.strip()]
    progress = [line for line in lines if line.startswith("Progress:")]
    return "\n".join([line for line in lines if not line.startswith("Progress:")] + progress[-1:]) + "\n"


def _check_settings(fasttext: dict, trainer: str, subwords: str = "fasttext") -> None:
    known = schema.run_schema()["properties"]["fasttext"]["properties"]
    unknown = sorted(set(fasttext) - set(known))
    if unknown:
        raise UserInputError(f"unknown fastText parameter(s) {unknown}", f"use fastText's names: {sorted(known)}")
    if trainer not in TRAINERS:
        raise UserInputError(f"unknown trainer {trainer!r}", f"use one of {TRAINERS}")
    schema.raise_problems(schema.fasttext_problems(fasttext))
    maxn = fasttext.get("maxn", schema.default_of(schema.run_schema()["properties"]["fasttext"])["maxn"])
    schema.raise_problems(schema.subwords_problems(subwords, trainer, maxn=maxn))


def _run_child(job: dict) -> dict:
    """Run :func:`build_model` in a fresh interpreter whose large allocations are fresh zero pages."""
    env = dict(os.environ)
    tunable = f"glibc.malloc.mmap_threshold={_MMAP_THRESHOLD}"
    # fastText gives a model without n-grams (maxn 0) no bucket rows at all (Args::parseArgs), so its
    # matrix is the word rows alone: small enough to come from the heap, garbage where untrained
    # (measured: "Encountered NaN" on 800 reviews with maxn 0 and bucket 20000).
    buckets = job["fasttext"]["bucket"] if job["fasttext"]["maxn"] else 0
    if buckets * job["fasttext"]["dim"] * 4 < _MMAP_THRESHOLD:
        tunable += ":glibc.malloc.perturb=255"  # the matrix may come from the heap: zero-fill it
    env["GLIBC_TUNABLES"] = ":".join(filter(None, [env.get("GLIBC_TUNABLES"), tunable]))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[1]), env.get("PYTHONPATH")]))
    child = subprocess.run(
        [sys.executable, "-m", "morphvec.training"],
        input=json.dumps({**job, "parent": os.getpid()}),
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    output, _, child_traceback = child.stderr.partition("Traceback (most recent call last):")
    sys.stderr.write(_readable_progress(output))  # fastText's own output, for the log
    lines = child.stdout.strip().splitlines()
    result = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
    if child_traceback and not result:  # died before it could report (an import, the job itself)
        result = {"internal_error": child_traceback.strip().splitlines()[-1], "traceback": child_traceback}
    _raise_child_failure(job, result)
    if "os_error" in result:
        number, reason, filename = result["os_error"]
        raise OSError(number, reason, job["targets"].get(filename, filename))
    if child.returncode < 0:
        signal_name = signal.Signals(-child.returncode).name
        raise UserInputError(
            f"{job['trainer']} crashed ({signal_name}) training on {job['tokens']}",
            "SIGKILL usually means the job ran out of memory (raise mem_mb or lower fasttext.bucket/dim); "
            "otherwise check the fasttext settings against fastText's documentation",
        )
    if "Empty vocabulary" in result.get("error", ""):
        raise UserInputError(
            f"{job['tokens']}: no word occurs fasttext.minCount ({job['fasttext']['minCount']}) times or more, "
            "so the vocabulary is empty",
            "lower fasttext.minCount (or train on a larger corpus)",
        )
    if child.returncode != 0 or "error" in result:
        reason = result.get("error") or (child.stderr.strip().splitlines() or [f"exit {child.returncode}"])[-1]
        raise UserInputError(
            f"{job['trainer']} could not train on {job['tokens']}: {reason}",
            "check the corpus is not empty, lower fasttext.minCount, or lower fasttext.lr if it diverged",
        )
    return result


class ChildProcessFailed(RuntimeError):
    """An internal error in the training child; its traceback is attached as a note, so the step
    runtime writes it to the traceback file with the parent's."""


def _raise_child_failure(job: dict, result: dict) -> None:
    """The child's memory or internal error as the parent's own (one message on the screen)."""
    if "memory_error" in result:
        settings = job["fasttext"]
        rows = settings["bucket"] if settings["maxn"] else 0
        gib = rows * settings["dim"] * 4 / 2**30
        raise UserInputError(
            f"{job['trainer']} ran out of memory training on {job['tokens']} ({result['memory_error']}): its "
            f"n-gram matrix alone is fasttext.bucket {settings['bucket']:,} x fasttext.dim {settings['dim']:,} "
            f"x 4 bytes = {gib:,.1f} GiB, plus a row per word",
            "lower fasttext.bucket or fasttext.dim (a typo?), or give the job more memory (resources mem_mb)",
        )
    if "internal_error" in result:
        error = ChildProcessFailed(f"in the training process: {result['internal_error']}")
        error.add_note(f"the training process's traceback:\n{result['traceback']}")
        raise error


@configured()
def train_fasttext(
    tokens: str | Path,
    model_bin: str | Path,
    model_vec: str | Path | None = None,
    train_stats: str | Path | None = None,
    *,
    fasttext: dict = SCHEMA_DEFAULT,
    trainer: str = SCHEMA_DEFAULT,
    subwords: str = SCHEMA_DEFAULT,
    fill_untrained_ngrams: bool = SCHEMA_DEFAULT,
) -> dict:
    """Train fastText embeddings on a tokenized corpus (one document per line); save the model.

    ``fasttext`` holds ``train_unsupervised``'s parameters under fastText's own names.  The work
    runs in a child process whose large allocations are fresh zero pages (glibc
    ``mmap_threshold`` lowered): see the module docstring for why.  ``subwords``: fastText's
    n-grams, or ``syllable_jamo`` (:mod:`morphvec.ngrams`; gensim's trainer only), for which the
    ``.vec`` comes from gensim's vectors and the ``.bin`` holds the right rows but not the scheme.
    """
    tokens = require_file(tokens, "tokenized corpus", "run the tokenize step first")
    _check_settings(fasttext, trainer, subwords)
    if tokens.stat().st_size == 0:
        raise UserInputError(f"{tokens} is empty: there is nothing to train on")
    check_utf8(tokens, "tokenize the corpus with the tokenize_corpus step (it writes UTF-8), or convert the file")
    log.info("training with %s on %s: %s", trainer, tokens, fasttext)
    with contextlib.ExitStack() as stack:
        tmp_bin = stack.enter_context(atomic_path(model_bin, suffix=".bin"))
        tmp_vec = stack.enter_context(atomic_path(model_vec, suffix=".vec")) if model_vec is not None else None
        job = {"tokens": str(tokens), "fasttext": fasttext, "trainer": trainer, "subwords": subwords}
        job["model_bin"] = tmp_bin
        job.update(model_vec=tmp_vec, fill_untrained_ngrams=fill_untrained_ngrams)
        job["targets"] = {tmp_bin: str(model_bin), tmp_vec: str(model_vec)}  # to name a failed write
        stats = _run_child(job)
    zero = stats["zero_ngram_rows"]
    log.info(
        "trained %d words; all-zero n-gram rows: %.1f%% before the fix, %.1f%% after (%d filled)",
        stats["words"],
        100 * zero["before_fix_share"],
        100 * zero["after_fix_share"],
        zero["filled"],
    )
    if train_stats is not None:
        write_json(train_stats, stats)
    return stats


def _die_with_parent(parent: int) -> None:
    """Linux: end this child when the step process dies (``kill -9``), instead of training on as an
    orphan that writes a temporary model after the rerun has cleaned up."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before prctl took effect
            sys.exit(1)


def _child_main() -> int:
    """The child's entry point: a job dict as JSON on stdin, statistics as one JSON line on stdout."""
    job = json.load(sys.stdin)
    _die_with_parent(job["parent"])
    if hasattr(signal, "SIGXFSZ"):  # a file-size limit: a failed write we detect, not a dead child
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        stats = build_model(job)
    except (RuntimeError, ValueError) as error:  # fastText's and gensim's training errors (no traceback)
        print(json.dumps({"error": str(error)}))
        return 3
    except OSError as error:  # a failed write: the parent raises it again with its errno
        print(json.dumps({"os_error": [error.errno, error.strerror, error.filename]}))
        return 4
    except MemoryError as error:  # fastText's std::bad_alloc: the matrix did not fit
        print(json.dumps({"memory_error": str(error) or "out of memory"}))
        return 5
    except Exception as error:  # a bug: its traceback goes to the parent's traceback file, not the screen
        summary = f"{type(error).__name__}: {error}".splitlines()[0][:300]
        print(json.dumps({"internal_error": summary, "traceback": traceback.format_exc()}))
        return 6
    print(json.dumps(stats))
    return 0


if __name__ == "__main__":
    sys.exit(_child_main())
