"""Compare all runs of a config: one row per run, in results/summary.tsv and results/summary.html.

Columns: the settings that differ between the runs, sizes, times, parity, word-similarity ρ
(in-vocabulary and with subword vectors), analogy accuracy (gensim protocol and OOV-aware) and the
sentiment probe.
"""

import argparse
import csv
import html
import io
import json
import logging
import sys
from pathlib import Path

from pipeline_io import atomic_open, read_json, run_step, snakemake_log

log = logging.getLogger("morphvec.summarize_runs")

SETTING_SECTIONS = ("corpus", "tokenizer", "trainer", "fasttext", "fill_untrained_ngrams", "finetune_word2vec")
IGNORED_SETTINGS = {"tokenizer.threads", "tokenizer.shards"}  # do not change the vectors


def flatten(data: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def differing_settings(settings: dict[str, dict]) -> list[str]:
    """Setting names (dotted) whose value is not the same in every run."""
    flat = {run: flatten({k: v for k, v in s.items() if k in SETTING_SECTIONS}) for run, s in settings.items()}
    names = sorted({name for values in flat.values() for name in values} - IGNORED_SETTINGS)
    return [n for n in names if len({json.dumps(values.get(n), sort_keys=True) for values in flat.values()}) > 1]


def summary_rows(metrics: dict[str, dict], settings: dict[str, dict]) -> tuple[list[str], list[list]]:
    varying = differing_settings(settings)
    flat_settings = {run: flatten({k: v for k, v in s.items() if k in SETTING_SECTIONS}) for run, s in settings.items()}
    columns = ["run", *varying, "documents", "tokens", "types", "vocabulary", "tokenize_seconds", "train_seconds",
               "parity_max_abs_diff", "parity_passed"]  # fmt: skip
    similarity_sets = sorted({n for m in metrics.values() for n in m["quality"]["similarity"]})
    analogy_sets = sorted({n for m in metrics.values() for n in m["quality"]["analogy"]})
    for name in similarity_sets:
        columns += [f"{name}_spearman", f"{name}_spearman_subword", f"{name}_coverage"]
    for name in analogy_sets:
        columns += [f"{name}_accuracy", f"{name}_accuracy_subword", f"{name}_coverage"]
    columns += ["sentiment_accuracy", "sentiment_majority_baseline"]
    rows = []
    for run, m in metrics.items():
        row = {"run": run, **{name: flat_settings[run].get(name) for name in varying}}
        row.update(
            documents=m["corpus"]["documents"],
            tokens=m["corpus"]["tokens"],
            types=m["corpus"]["types"],
            vocabulary=m["vocabulary_size"],
            tokenize_seconds=m["corpus"]["seconds"],
            train_seconds=m["training"]["seconds"],
            parity_max_abs_diff=m["parity"]["max_abs_diff"],
            parity_passed=m["parity"]["passed"],
        )
        for name in similarity_sets:
            s = m["quality"]["similarity"].get(name, {})
            row[f"{name}_spearman"] = s.get("spearman")
            row[f"{name}_spearman_subword"] = s.get("spearman_all_pairs_subword")
            row[f"{name}_coverage"] = s.get("coverage")
        for name in analogy_sets:
            a = m["quality"]["analogy"].get(name, {})
            row[f"{name}_accuracy"] = a.get("accuracy")
            row[f"{name}_accuracy_subword"] = m["quality"].get("analogy_subword", {}).get(name, {}).get("accuracy")
            row[f"{name}_coverage"] = a.get("coverage")
        probe = m.get("sentiment_probe") or {}
        row["sentiment_accuracy"] = probe.get("accuracy")
        row["sentiment_majority_baseline"] = probe.get("majority_baseline")
        rows.append([row.get(c) for c in columns])
    return columns, rows


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def summarize_runs(metrics_paths: dict[str, str | Path], settings: dict[str, dict], tsv_out, html_out) -> list[list]:
    metrics = {run: read_json(path) for run, path in metrics_paths.items()}
    columns, rows = summary_rows(metrics, settings)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([[_cell(v) for v in row] for row in rows])
    with atomic_open(tsv_out) as out:
        out.write(buffer.getvalue())
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td><a href='{html.escape(row[0])}/report/report.html'>{html.escape(row[0])}</a></td>"
            if i == 0
            else f"<td>{html.escape(_cell(v))}</td>"
            for i, v in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    page = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>morphvec: all runs</title><style>"
        "body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
        "padding:.3em .5em;text-align:right;font-size:90%}th{background:#f3f3f3;writing-mode:vertical-rl;"
        "text-align:left}td:first-child{text-align:left}</style></head><body><h1>morphvec: all runs</h1>"
        f"<p>{len(rows)} runs. Settings shown are those that differ between runs. Each run's report: click its name."
        f"</p><table><tr>{head}</tr>{body}</table></body></html>"
    )
    with atomic_open(html_out) as out:
        out.write(page)
    log.info("summarised %d runs into %s", len(rows), tsv_out)
    return rows


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results_dir", help="results/ with one directory per run")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    root = Path(args.results_dir)
    paths = {p.parents[1].name: p for p in sorted(root.glob("*/report/metrics.json"))}
    settings = {run: read_json(p).get("settings", {}) for run, p in paths.items()}
    return run_step(lambda: summarize_runs(paths, settings, root / "summary.tsv", root / "summary.html"))


if "snakemake" in globals():
    sm = globals()["snakemake"]
    sys.exit(
        run_step(
            lambda: summarize_runs(
                dict(zip(sm.params.runs, sm.input.metrics, strict=True)),
                sm.params.settings,
                sm.output.tsv,
                sm.output.html,
            ),
            snakemake_log(sm),
        )
    )
elif __name__ == "__main__":
    sys.exit(main())
