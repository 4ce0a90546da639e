"""Open a Facebook fastText ``.bin`` in gensim and save it as native gensim files.

Two files come out, each loadable with ``mmap='r'`` (large arrays are stored as ``.npy``
siblings, which gensim memory-maps):

* ``fasttext.model`` -- ``gensim.models.fasttext.load_facebook_model``: the full model, with
  the output layer (``syn1neg``) and vocabulary counts, so training can continue;
* ``fasttext.kv`` -- ``load_facebook_vectors``: the vectors only (``FastTextKeyedVectors``),
  which still give out-of-vocabulary words vectors from their character n-grams.
"""

import argparse
import logging
import sys
import time
from pathlib import Path

import numpy as np

from pipeline_io import atomic_save_dir, require_file, run_step, snakemake_log, write_json

log = logging.getLogger("morphvec.load_gensim")

# Arrays of at least this many elements go to their own .npy file, which mmap='r' maps instead
# of reading.  gensim's default (10M elements) would pickle a whole 100k-bucket model inline.
SEPARATE_ARRAYS_FROM = 65536


def load_gensim(
    model_bin: str | Path,
    model_out: str | Path,
    kv_out: str | Path,
    stats_out: str | Path | None = None,
) -> dict:
    """Convert ``model_bin`` to gensim's native format; check the saved files open with mmap."""
    from gensim.models import FastText
    from gensim.models.fasttext import FastTextKeyedVectors, load_facebook_model, load_facebook_vectors

    model_bin = require_file(model_bin, "fastText model", "run the train_fasttext step first")
    started = time.perf_counter()
    model = load_facebook_model(str(model_bin))
    model_seconds = time.perf_counter() - started
    with atomic_save_dir(model_out) as tmp:
        model.save(tmp, sep_limit=SEPARATE_ARRAYS_FROM)

    started = time.perf_counter()
    wv = load_facebook_vectors(str(model_bin))
    vectors_seconds = time.perf_counter() - started
    with atomic_save_dir(kv_out) as tmp:
        wv.save(tmp, sep_limit=SEPARATE_ARRAYS_FROM)

    # The saved files must open memory-mapped and give the same vectors.
    started = time.perf_counter()
    reopened = FastTextKeyedVectors.load(str(kv_out), mmap="r")
    mmap_seconds = time.perf_counter() - started
    probe = wv.index_to_key[: min(100, len(wv))]
    max_diff = float(np.max(np.abs(reopened[probe] - wv[probe]))) if probe else 0.0
    if max_diff != 0.0 or len(reopened) != len(wv):
        raise RuntimeError(f"{kv_out} does not reproduce the vectors of {model_bin} (diff {max_diff})")
    FastText.load(str(model_out), mmap="r")

    stats = {
        "vocabulary": len(wv),
        "vector_size": wv.vector_size,
        "bucket": wv.bucket,
        "load_facebook_model_seconds": round(model_seconds, 3),
        "load_facebook_vectors_seconds": round(vectors_seconds, 3),
        "mmap_load_seconds": round(mmap_seconds, 3),
    }
    log.info("gensim: %d words x %d dims; saved %s and %s", len(wv), wv.vector_size, model_out, kv_out)
    if stats_out is not None:
        write_json(stats_out, stats)
    return stats


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model_bin", help="fastText .bin")
    parser.add_argument("model_out", help="output: gensim FastText model (full, trainable)")
    parser.add_argument("kv_out", help="output: gensim FastTextKeyedVectors (vectors only)")
    parser.add_argument("--stats", help="output: load statistics as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_step(lambda: load_gensim(args.model_bin, args.model_out, args.kv_out, args.stats))


if "snakemake" in globals():
    sm = globals()["snakemake"]
    sys.exit(
        run_step(
            lambda: load_gensim(sm.input.bin, sm.output.model, sm.output.kv, sm.output.stats),
            snakemake_log(sm),
        )
    )
elif __name__ == "__main__":
    sys.exit(main())
