"""Gather tokenized shards, in order, into one token file with merged statistics.

The shards are contiguous ranges of the corpus, so their concatenation is byte-identical to
tokenizing the corpus in one piece; the statistics are summed, and the number of token types is
recounted from the merged token counts.  (Files are copied, not hard-linked: a link would share
the shard's modification time, older than the shard's later files, and Snakemake would flag it.)
"""

import argparse
import collections
import logging
import shutil
import sys
from pathlib import Path

from pipeline_io import atomic_open, read_json, run_step, snakemake_log, write_json
from tokenize_corpus import write_counts

log = logging.getLogger("morphvec.gather_tokens")

SUMMED = ("documents", "documents_written", "dropped_empty", "tokens")


def read_counts(path: str | Path) -> collections.Counter:
    counts: collections.Counter = collections.Counter()
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            token, count = line.rstrip("\n").rsplit("\t", 1)
            counts[token] += int(count)
    return counts


def _concatenate(sources: list[str | Path], target: str | Path) -> None:
    with atomic_open(target, "wb") as out:
        for path in sources:
            with open(path, "rb") as shard:
                shutil.copyfileobj(shard, out, 1 << 20)


def gather_tokens(
    shard_tokens: list[str | Path],
    shard_stats: list[str | Path],
    shard_counts: list[str | Path],
    tokens_out: str | Path,
    stats_out: str | Path,
    counts_out: str | Path,
    shard_labels: list[str | Path] | None = None,
    labels_out: str | Path | None = None,
) -> dict:
    stats = [read_json(path) for path in shard_stats]
    _concatenate(shard_tokens, tokens_out)
    if labels_out is not None:
        _concatenate(shard_labels, labels_out)
    counts: collections.Counter = collections.Counter()
    for path in shard_counts:
        counts.update(read_counts(path))
    write_counts(counts_out, counts)
    merged = {key: value for key, value in stats[0].items() if key not in ("shard", "seconds")}
    merged.update({key: sum(s[key] for s in stats) for key in SUMMED})
    merged["types"] = len(counts)
    merged["shards"] = len(stats)
    merged["seconds"] = round(sum(s["seconds"] for s in stats), 3)  # tokenizer time over all shards
    merged["cleaning"] = {key: sum(s["cleaning"][key] for s in stats) for key in stats[0]["cleaning"]}
    write_json(stats_out, merged)
    log.info(
        "gathered %d shard(s): %d documents, %d tokens, %d types",
        len(stats),
        merged["documents"],
        merged["tokens"],
        merged["types"],
    )
    return merged


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "shard_prefix", nargs="+", help="shard outputs without suffix: PREFIX.txt/.stats.json/.counts.tsv"
    )
    parser.add_argument("--out-dir", required=True, help="writes tokens.txt, stats.json, token_counts.tsv")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    out = Path(args.out_dir)
    prefixes = args.shard_prefix
    return run_step(
        lambda: gather_tokens(
            [f"{p}.txt" for p in prefixes],
            [f"{p}.stats.json" for p in prefixes],
            [f"{p}.counts.tsv" for p in prefixes],
            out / "tokens.txt",
            out / "stats.json",
            out / "token_counts.tsv",
            [f"{p}.labels.txt" for p in prefixes],
            out / "labels.txt",
        )
    )


if "snakemake" in globals():
    sm = globals()["snakemake"]
    sys.exit(
        run_step(
            lambda: gather_tokens(
                sm.input.tokens,
                sm.input.stats,
                sm.input.counts,
                sm.output.tokens,
                sm.output.stats,
                sm.output.counts,
                sm.input.labels,
                sm.output.labels,
            ),
            snakemake_log(sm),
        )
    )
elif __name__ == "__main__":
    sys.exit(main())
