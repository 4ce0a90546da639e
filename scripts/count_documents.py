"""Count the documents of a corpus, so that tokenization can be split into equal shards.

Reads the corpus exactly as ``tokenize_corpus.py`` does (same formats, same UTF-8 checks), so a
bad line is reported here first, with its line number.
"""

import argparse
import collections
import logging
import sys
from pathlib import Path

from pipeline_io import run_step, snakemake_log, write_json
from tokenize_corpus import FORMATS, INVALID_UTF8_POLICIES, iter_documents

log = logging.getLogger("morphvec.count_documents")


def count_documents(
    corpus: str | Path,
    count_out: str | Path | None = None,
    *,
    fmt: str = "auto",
    text_column: str = "text",
    invalid_utf8: str = "error",
) -> dict:
    """Write and return ``{"documents": n}``."""
    counters: collections.Counter = collections.Counter()
    documents = sum(1 for _ in iter_documents(corpus, fmt, text_column, invalid_utf8, counters))
    result = {"corpus": str(corpus), "documents": documents}
    log.info("%s: %d documents", corpus, documents)
    if count_out is not None:
        write_json(count_out, result)
    return result


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", help="corpus file (.txt, .tsv, .csv, .jsonl; optionally .gz)")
    parser.add_argument("--out", help="output JSON (default: print)")
    parser.add_argument("--format", dest="fmt", default="auto", choices=("auto", *FORMATS))
    parser.add_argument("--text-column", default="text")
    parser.add_argument("--invalid-utf8", default="error", choices=INVALID_UTF8_POLICIES)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = vars(build_parser().parse_args(argv))
    corpus, out = args.pop("corpus"), args.pop("out")
    return run_step(lambda: print(count_documents(corpus, out, **args)["documents"]))


if "snakemake" in globals():
    sm = globals()["snakemake"]
    sys.exit(
        run_step(lambda: count_documents(sm.input.corpus, sm.output.documents, **sm.params.options), snakemake_log(sm))
    )
elif __name__ == "__main__":
    sys.exit(main())
