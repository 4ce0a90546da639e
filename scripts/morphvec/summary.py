"""Compare all runs of a config: one row per run, in ``summary.tsv`` and ``summary.html``.

Columns: the settings that differ between the runs, sizes (documents, tokens, vocabulary, the
torch export's bytes), wall times (from the benchmark files), parity, word-similarity ρ
(in-vocabulary and with subword vectors, the latter with its 95% bootstrap interval and its paired
difference from the first run's), analogy accuracy (gensim protocol and OOV-aware) and the
sentiment probe.  The TSV keeps machine names; the page gives each column a readable title.
"""

import collections
import csv
import io
import json
import logging
from pathlib import Path

from morphvec import outputs, render
from morphvec.evaluation.sentences import BASELINE
from morphvec.runtime import UserInputError, atomic_open, read_json, require_file

log = logging.getLogger("morphvec.summary")

SETTING_SECTIONS = (
    "corpus", "tokenizer", "trainer", "subwords", "fasttext", "fill_untrained_ngrams", "finetune_word2vec",
)  # fmt: skip
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


def step_seconds(benchmarks: list[str | Path]) -> dict[str, dict[str, float]]:
    """Wall seconds by run and step from Snakemake's ``benchmarks/<step>[.<shard>].tsv`` files
    (shards summed): times live in files whose purpose is timing, not in the runs' artefacts."""
    times: dict[str, dict[str, float]] = collections.defaultdict(lambda: collections.defaultdict(float))
    for path in map(Path, benchmarks):
        with open(path, encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        if rows:
            times[path.parent.parent.name][path.name.split(".")[0]] += float(rows[0]["s"])
    return times


def export_bytes(torch_weights: list[str | Path]) -> dict[str, int]:
    """The size of each run's torch export (``results/<run>/export_torch/...``) by run."""
    fix = "give each run's results/<run>/export_torch/embeddings.safetensors"
    return {_run_of(p): require_file(p, "torch export weights", fix).stat().st_size for p in torch_weights}


def _run_of(torch_weights: str | Path) -> str:
    """The run a torch export belongs to: ``results/<run>/export_torch/embeddings.safetensors``."""
    return Path(torch_weights).parents[1].name


def _difference_from_first(name: str, m: dict, first: dict) -> dict:
    """ρ all pairs (subword) of a run minus the first run's, with the paired 95% bootstrap interval
    (both scored on the same resamples of the pairs): only when both scored the same file."""
    from morphvec.evaluation import spearman_interval

    ours, theirs = (d["quality"]["similarity"].get(name, {}) for d in (m, first))
    same_file = m.get("inputs", {}).get(f"similarity:{name}") == first.get("inputs", {}).get(f"similarity:{name}")
    cosines = ours.get("cosines_all_pairs_subword"), theirs.get("cosines_all_pairs_subword")
    rho = ours.get("spearman_all_pairs_subword"), theirs.get("spearman_all_pairs_subword")
    if not same_file or None in (*cosines, *rho) or len(cosines[0]) != len(cosines[1]) or "human_scores" not in ours:
        return {}
    interval = spearman_interval(ours["human_scores"], *cosines) or [None, None]
    return {
        f"{name}_difference_subword": round(rho[0] - rho[1], 4),
        f"{name}_difference_subword_low": interval[0],
        f"{name}_difference_subword_high": interval[1],
    }


# The sentence-similarity methods the summary lists per pair file: the run's own sentence vectors
# (analysed input, compared between runs), what users of the static export get (raw input), and
# the model-free baseline (the same for every run: the figure to beat).
STS_HEADLINE = "fasttext_mean_analysed"
STS_COLUMNS = {
    "_sts_fasttext_analysed": STS_HEADLINE,
    "_sts_static_raw": "static_mean_raw",
    "_sts_sif_analysed": "static_sif_analysed",
    "_sts_sif_raw": "static_sif_raw",
    "_sts_tuned_raw": "static_tuned_raw",
    "_sts_baseline": BASELINE,
}


def _sentence_columns(name: str) -> list[str]:
    return [
        f"{name}_sts_fasttext_analysed", f"{name}_sts_fasttext_analysed_low", f"{name}_sts_fasttext_analysed_high",
        f"{name}_sts_difference", f"{name}_sts_difference_low", f"{name}_sts_difference_high",
        f"{name}_sts_static_raw", f"{name}_sts_sif_analysed", f"{name}_sts_sif_raw", f"{name}_sts_tuned_raw",
        f"{name}_sts_baseline",
    ]  # fmt: skip


def _first_to_score(metrics: dict[str, dict]) -> dict[str, dict]:
    """Each sentence-pair file by name, with the metrics of the config's first run that scored it:
    the reference of the paired differences (a run that did not score it, an English one sorted
    first, is passed over)."""
    first: dict[str, dict] = {}
    for m in metrics.values():
        for name in m.get("sentence_similarity", {}):
            first.setdefault(name, m)
    return dict(sorted(first.items()))


def _sentence_cells(name: str, m: dict, first: dict) -> dict:
    """A run's ρ on one sentence-pair file, and its paired difference from the first run's (both
    runs' cosines on the same resamples of the pairs; only when both scored the same file)."""
    from morphvec.evaluation import spearman_interval

    ours, theirs = (d.get("sentence_similarity", {}).get(name, {}) for d in (m, first))
    methods = ours.get("methods", {})
    row = {f"{name}{suffix}": methods.get(method, {}).get("spearman") for suffix, method in STS_COLUMNS.items()}
    low, high = methods.get(STS_HEADLINE, {}).get("spearman_interval") or (None, None)
    row[f"{name}_sts_fasttext_analysed_low"], row[f"{name}_sts_fasttext_analysed_high"] = low, high
    key = f"sts:{name}"
    same_file = m is not first and m.get("inputs", {}).get(key) == first.get("inputs", {}).get(key)
    cosines = [d.get("cosines", {}).get(STS_HEADLINE) for d in (ours, theirs)]
    rho = [d.get("methods", {}).get(STS_HEADLINE, {}).get("spearman") for d in (ours, theirs)]
    if same_file and None not in (*cosines, *rho) and len(cosines[0]) == len(cosines[1]):
        interval = spearman_interval(ours["gold_scores"], *cosines) or [None, None]
        row[f"{name}_sts_difference"] = round(rho[0] - rho[1], 4)
        row[f"{name}_sts_difference_low"], row[f"{name}_sts_difference_high"] = interval
    return row


def summary_rows(
    metrics: dict[str, dict],
    settings: dict[str, dict],
    times: dict[str, dict[str, float]] | None = None,
    sizes: dict[str, int] | None = None,
) -> tuple[list[str], list[list]]:
    varying = differing_settings(settings)
    flat_settings = {run: flatten({k: v for k, v in s.items() if k in SETTING_SECTIONS}) for run, s in settings.items()}
    columns = ["run", *varying, "documents", "tokens", "types", "vocabulary", "export_bytes", "tokenize_seconds",
               "train_seconds", "parity_max_abs_diff", "parity_tolerance", "parity_passed"]  # fmt: skip
    similarity_sets = sorted({n for m in metrics.values() for n in m["quality"]["similarity"]})
    analogy_sets = sorted({n for m in metrics.values() for n in m["quality"]["analogy"]})
    sentence_sets = _first_to_score(metrics)
    for name in similarity_sets:
        columns += [f"{name}_spearman", f"{name}_spearman_subword", f"{name}_spearman_subword_low"]
        columns += [f"{name}_spearman_subword_high", f"{name}_difference_subword", f"{name}_difference_subword_low"]
        columns += [f"{name}_difference_subword_high", f"{name}_spearman_eojeol", f"{name}_coverage"]
    for name in analogy_sets:
        columns += [f"{name}_accuracy", f"{name}_accuracy_subword", f"{name}_accuracy_eojeol", f"{name}_coverage"]
        columns += [f"{name}_distance_subword", f"{name}_distance_eojeol"]
    for name in sentence_sets:
        columns += _sentence_columns(name)
    columns += ["sentiment_accuracy", "sentiment_majority_baseline"]
    first = next(iter(metrics.values()), None)
    rows = []
    for run, m in metrics.items():
        row = {"run": run, **{name: flat_settings[run].get(name) for name in varying}}
        row.update(
            documents=m["corpus"]["documents"],
            tokens=m["corpus"]["tokens"],
            types=m["corpus"]["types"],
            vocabulary=m["vocabulary_size"],
            export_bytes=(sizes or {}).get(run),
            tokenize_seconds=(times or {}).get(run, {}).get("tokenize_corpus"),
            train_seconds=(times or {}).get(run, {}).get("train_fasttext"),
            parity_max_abs_diff=m["parity"]["max_abs_diff"],
            parity_tolerance=m["parity"].get("tolerance"),
            parity_passed=m["parity"]["passed"],
        )
        for name in similarity_sets:
            s = m["quality"]["similarity"].get(name, {})
            row[f"{name}_spearman"] = s.get("spearman")
            row[f"{name}_spearman_subword"] = s.get("spearman_all_pairs_subword")
            low, high = s.get("spearman_all_pairs_subword_interval") or (None, None)
            row[f"{name}_spearman_subword_low"], row[f"{name}_spearman_subword_high"] = low, high
            if m is not first:
                row.update(_difference_from_first(name, m, first))
            row[f"{name}_spearman_eojeol"] = s.get("spearman_all_pairs_eojeol")
            row[f"{name}_coverage"] = s.get("coverage")
        for name in analogy_sets:
            a = m["quality"]["analogy"].get(name, {})
            row[f"{name}_accuracy"] = a.get("accuracy")
            row[f"{name}_accuracy_subword"] = m["quality"].get("analogy_subword", {}).get(name, {}).get("accuracy")
            row[f"{name}_accuracy_eojeol"] = m["quality"].get("analogy_eojeol", {}).get(name, {}).get("accuracy")
            row[f"{name}_coverage"] = a.get("coverage")
            for protocol in ("subword", "eojeol"):
                measured = m["quality"].get(f"analogy_{protocol}", {}).get(name, {})
                row[f"{name}_distance_{protocol}"] = measured.get("distance")
        for name, first_to_score in sentence_sets.items():
            row.update(_sentence_cells(name, m, first_to_score))
        probe = m.get("sentiment_probe") or {}
        row["sentiment_accuracy"] = probe.get("accuracy")
        row["sentiment_majority_baseline"] = probe.get("majority_baseline")
        rows.append([row.get(c) for c in columns])
    return columns, rows


# Readable titles of the fixed columns (per-set columns are titled from their suffix).
TITLES = {
    "run": "run",
    "documents": "documents",
    "tokens": "tokens",
    "types": "token types",
    "vocabulary": "vocabulary",
    "export_bytes": "export size (MB)",
    "tokenize_seconds": "tokenize (s)",
    "train_seconds": "train (s)",
    "parity_max_abs_diff": "parity: largest difference",
    "parity_tolerance": "parity: tolerance",
    "parity_passed": "parity",
    "sentiment_accuracy": "sentiment probe accuracy",
    "sentiment_majority_baseline": "sentiment majority baseline",
}
SUFFIX_TITLES = {
    "_sts_fasttext_analysed_low": "sentence ρ × 100: 95% interval",
    "_sts_fasttext_analysed": "sentence ρ × 100, fastText, analysed input",
    "_sts_difference_low": "sentence ρ × 100 difference: paired 95% interval",
    "_sts_difference": "sentence ρ × 100, fastText, analysed input: difference from the first run",
    "_sts_static_raw": "sentence ρ × 100, static export, raw input",
    "_sts_sif_analysed": "sentence ρ × 100, SIF flavour, analysed input",
    "_sts_sif_raw": "sentence ρ × 100, SIF flavour, raw input",
    "_sts_tuned_raw": "sentence ρ × 100, tuned flavour, raw input",
    "_sts_baseline": "sentence ρ × 100, no model (character n-gram TF-IDF)",
    "_spearman_subword_low": "ρ, all pairs (subword): 95% interval",
    "_difference_subword_low": "difference: paired 95% interval",
    "_difference_subword": "ρ, all pairs (subword): difference from the first run",
    "_spearman_subword": "ρ, all pairs (subword)",
    "_spearman_eojeol": "ρ, all pairs (eojeol composed)",
    "_accuracy_eojeol": "accuracy, eojeol protocol",
    "_spearman": "ρ, in-vocabulary pairs",
    "_accuracy_subword": "accuracy, OOV-aware",
    "_accuracy": "accuracy, gensim protocol",
    "_coverage": "coverage",
    "_distance_subword": "Park distance, OOV-aware",
    "_distance_eojeol": "Park distance, eojeol protocol",
}


def column_title(column: str) -> str:
    if column in TITLES:
        return TITLES[column]
    for suffix, title in SUFFIX_TITLES.items():
        if column.endswith(suffix):
            return f"{column.removesuffix(suffix)}: {title}"
    return column  # a setting's dotted name, as written in the config


def _tsv(rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    writer.writerows([[_tsv_cell(v) for v in row] for row in rows])
    return buffer.getvalue()


COMPACT_TITLES = {
    "run": "run", "model": "model", "bytes": "size (bytes)", "size_share": "share of the full size",
    "open_ms": "open (ms)", "rss_added_mb": "memory added (MB)", "rho_all_pairs": "similarity ρ, all pairs",
    "rho_kept": "ρ kept", "analogy_accuracy": "analogies (OOV-aware)", "probe_accuracy": "sentiment probe",
    "probe_kept": "probe kept", "parity_max_abs_diff": "parity to its reference",
}  # fmt: skip


def _tsv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _is_interval(column: str, columns: list[str]) -> bool:
    """A lower bound whose upper bound is the column ``_high``: the page shows both in one cell."""
    return column.endswith("_low") and column.removesuffix("_low") + "_high" in columns


def _cell_kind(column: str, columns: list[str], settings_columns: set[str]) -> str:
    """A path must wrap, a number not; an interval may, between its bounds."""
    if column in settings_columns:
        return "text"
    return "interval" if _is_interval(column, columns) else "number"


def _page_cell(column: str, value, row: list | None = None, columns: list[str] | None = None) -> str:
    """A value as the report shows it: coverage as a percentage, scores to 3 decimals, the parity
    difference in scientific notation, seconds and megabytes to one decimal."""
    if value is None:
        return "–"
    if column == "parity_passed":
        return "pass" if value else "FAIL"
    if column in ("parity_max_abs_diff", "parity_tolerance"):
        return render.scientific(value)
    if column.endswith("_seconds"):
        return f"{value:,.1f}"
    if column == "export_bytes":
        return f"{value / 1e6:,.1f}"
    if "_sts_" in column:  # sentence similarity as its tables give it: ρ x 100
        return _points_cell(column, value, row, columns)
    if columns and _is_interval(column, columns):  # "low to high"
        signed = "+.3f" if "_difference_" in column else ".3f"
        return f"{value:{signed}} to {row[columns.index(column.removesuffix('_low') + '_high')]:{signed}}"
    if column.endswith("_difference_subword"):
        return f"{value:+.3f}"
    if column.endswith("_coverage"):
        return render.percent(value)
    return render.number(value) if not isinstance(value, str) else value


def _points_cell(column: str, value, row: list | None, columns: list[str] | None) -> str:
    signed = "+.1f" if "_difference" in column else ".1f"
    if columns and _is_interval(column, columns):
        return f"{100 * value:{signed}} to {100 * row[columns.index(column.removesuffix('_low') + '_high')]:{signed}}"
    return f"{100 * value:{signed}}"


# What each column means, for the page (by name, else by suffix).
EXPLANATIONS = {
    "documents": "documents read from the corpus",
    "tokens": "tokens written (morphemes, or words for whitespace)",
    "types": "distinct tokens",
    "vocabulary": "words with a vector of their own (fasttext.minCount or more)",
    "export_bytes": "the torch export's weights (words and n-gram buckets), in megabytes",
    "tokenize_seconds": "wall time of tokenization, all shards",
    "train_seconds": "wall time of training",
    "parity_max_abs_diff": "largest difference between fastText, gensim, torch and the static export "
    "(words, unknown words, sentences)",
    "parity_tolerance": "the largest difference allowed (evaluation.tolerance)",
    "parity_passed": "whether the largest difference is within the tolerance",
    "sentiment_accuracy": "logistic regression on sentence vectors, held-out accuracy",
    "sentiment_majority_baseline": "accuracy of always answering the larger class",
}
SUFFIX_EXPLANATIONS = {
    "_sts_fasttext_analysed_low": "bootstrap over the sentence pairs (2,000 resamples, percentile)",
    "_sts_fasttext_analysed_high": "the interval's upper bound",
    "_sts_fasttext_analysed": "Spearman ρ x 100 of the cosine of fastText's sentence vectors (mean of unit "
    "vectors, sentences cut as the corpus was) against the gold scores",
    "_sts_difference_low": "the same resamples scored by both runs: an interval that holds 0 is no evidence "
    "that either run is better",
    "_sts_difference_high": "the paired interval's upper bound",
    "_sts_difference": "this run's sentence ρ x 100 minus that of the config's first run that scored the same file",
    "_sts_static_raw": "the static export's sentence vectors on raw text, as sentence-transformers and model2vec "
    "users call encode",
    "_sts_sif_analysed": "the static export's SIF flavour (export_static/sif) on text cut as the corpus was",
    "_sts_sif_raw": "the SIF flavour on raw text, through its raw-text rows",
    "_sts_tuned_raw": "the tuned flavour (tune_static, trained on tune_static.pairs) on raw text; empty without it",
    "_sts_baseline": "TF-IDF of character 2-4-grams, no model: the figure to beat",
    "_spearman_subword_low": "bootstrap over the pairs (2,000 resamples, percentile): where ρ of the same model "
    "on another draw of such pairs would fall",
    "_spearman_subword_high": "the interval's upper bound",
    "_difference_subword_low": "the same resamples scored by both runs: an interval that holds 0 is no evidence "
    "that either run is better",
    "_difference_subword_high": "the paired interval's upper bound",
    "_difference_subword": "this run's ρ all pairs (subword) minus the first run's of the config, on the same file",
    "_spearman_subword": "Spearman ρ over all pairs, unknown words from their character n-grams",
    "_spearman_eojeol": "Spearman ρ over all pairs, words that are not tokens cut into morphemes and composed",
    "_spearman": "Spearman ρ over the pairs whose words are both in the vocabulary",
    "_accuracy_eojeol": "accuracy, unknown words composed from their morphemes (eojeol protocol)",
    "_accuracy_subword": "accuracy with subword vectors for unknown query words (OOV-aware protocol)",
    "_accuracy": "accuracy of gensim's protocol (questions with an unknown word skipped)",
    "_distance_subword": "Park et al.'s mean 1 - cos(b - a + c, d), every question, subword vectors (lower: better)",
    "_distance_eojeol": "Park et al.'s mean 1 - cos(b - a + c, d), every question, eojeol composed (lower: better)",
}


def _explanation(column: str, previous: str, settings_columns: set[str]) -> str:
    """What ``column`` means; a set's coverage by the set's kind (its columns come before it)."""
    if column in settings_columns:
        return "config key of the run"
    if column in EXPLANATIONS:
        return EXPLANATIONS[column]
    if column.endswith("_coverage"):
        if "_spearman" in previous:
            return "share of the pairs whose two words are in the vocabulary"
        return "share of the questions gensim's protocol scores (all four words in the vocabulary)"
    return next((text for suffix, text in SUFFIX_EXPLANATIONS.items() if column.endswith(suffix)), "")


def _group(column: str, settings_columns: set[str]) -> str:
    if column in settings_columns:
        return "settings that differ"
    if column in ("documents", "tokens", "types", "vocabulary", "export_bytes"):
        return "corpus and vocabulary"
    if column.endswith("_seconds"):
        return "time"
    if column.startswith("parity"):
        return "parity"
    if column.startswith("sentiment"):
        return "sentiment probe"
    for suffix in (*SUFFIX_EXPLANATIONS, "_coverage"):
        if column.endswith(suffix):
            return column.removesuffix(suffix)
    return ""


# Up to this many runs the page lists the measures as rows and the runs as columns.
TRANSPOSED_UP_TO = 8


def page_view(columns: list[str], rows: list[list], varying: list[str]) -> dict:
    """The summary page's table: columns grouped and explained, values formatted as in the report;
    for a few runs transposed (a measure per row), so that it fits a 1,280-pixel screen."""
    settings_columns = set(varying)
    measures = []
    for index, column in enumerate(columns[1:], start=1):
        if column.endswith("_high") and _is_interval(column.removesuffix("_high") + "_low", columns):
            continue  # an upper bound: shown with its lower bound, as one interval
        measures.append(
            {
                "group": _group(column, settings_columns),
                "title": column_title(column).split(": ", 1)[-1],
                "explanation": _explanation(column, columns[index - 1], settings_columns),
                "cells": [_page_cell(column, row[index], row, columns) for row in rows],
                "kind": _cell_kind(column, columns, settings_columns),
            }
        )
    groups: list[dict] = []
    for measure in measures:
        if not groups or groups[-1]["title"] != measure["group"]:
            groups.append({"title": measure["group"], "measures": []})
        groups[-1]["measures"].append(measure)
    return {"runs": [row[0] for row in rows], "groups": groups, "transposed": len(rows) <= TRANSPOSED_UP_TO}


COMPACT_COLUMNS = [
    "run", "model", "bytes", "size_share", "open_ms", "rss_added_mb", "rho_all_pairs", "rho_kept",
    "analogy_accuracy", "probe_accuracy", "probe_kept", "parity_max_abs_diff",
]  # fmt: skip


def _retained(value, full):
    return round(value / full, 4) if value is not None and full else None


def compact_rows(loaded: dict[str, dict], torch_weights: list[str | Path], compact_weights: list[str | Path]) -> list:
    """The size-quality curve of every run with compact models: the full export and each compact
    one, with the time to open it and the memory it adds (measured here: these are timings)."""
    from morphvec.analyses import open_cost
    from morphvec.evaluation import headline_scores

    full_dirs = {_run_of(p): Path(p).parent for p in torch_weights}
    compact_dirs = {(Path(p).parents[2].name, Path(p).parent.name): Path(p).parent for p in compact_weights}
    rows = []
    for run, m in loaded.items():
        if "compression" not in m:
            continue
        missing = [f"--torch-weights for {run}"] if run not in full_dirs else []
        missing += [
            f"--compact-weights for {run}/{v}" for v in m["compression"]["variants"] if (run, v) not in compact_dirs
        ]
        if missing:  # the curve opens every model it lists
            raise UserInputError(
                f"{run} has compact models, and the curve needs the exports: no {', '.join(missing[:3])}",
                "give the run's export_torch/embeddings.safetensors (--torch-weights) and each "
                "compress_vectors/<variant>/embeddings.safetensors (--compact-weights)",
            )
        full = headline_scores(m["quality"], m.get("sentiment_probe"))
        models = [("full", full_dirs[run], m["compression"]["full_bytes"], full, None)]
        for variant, row in m["compression"]["variants"].items():
            point = headline_scores(row["quality"], row.get("sentiment_probe"))
            models.append((variant, compact_dirs[run, variant], row["bytes"], point, row["parity"]["max_abs_diff"]))
        for model, directory, size, point, parity in models:
            cost = open_cost(directory)
            rows.append([
                run, model, size, round(size / m["compression"]["full_bytes"], 6),
                round(1000 * cost["open_seconds"], 1), round(cost["rss_added_mb"], 1),
                point["rho"], _retained(point["rho"], full["rho"]), point["analogy"],
                point["probe"], _retained(point["probe"], full["probe"]), parity,
            ])  # fmt: skip
    return rows


def summarize_runs(
    metrics: list[str | Path],
    summary_tsv: str | Path,
    summary_html: str | Path,
    benchmarks: list[str | Path] | None = None,
    compact_tsv: str | Path | None = None,
    torch_weights: list[str | Path] | None = None,
    compact_weights: list[str | Path] | None = None,
) -> dict:
    """Compare all runs: one row per run (``metrics`` are their metrics.json files; the times
    come from Snakemake's ``benchmarks`` files of tokenization and training, wall seconds; the
    sizes from ``torch_weights``).  Each run's ρ over all pairs is compared with the first run's
    by the paired 95% bootstrap interval of the difference.

    Runs with compact models add their size-quality curve to ``compact_tsv`` and the page: size,
    open time and added memory (measured here, in fresh interpreters), similarity ρ over all
    pairs, analogy accuracy and probe accuracy, with the share of the full model's kept."""
    for output in filter(None, (summary_tsv, summary_html, compact_tsv)):  # all refused before any is written
        outputs.claim(output)
    loaded = {}
    for path in metrics:
        data = read_json(path)
        if not isinstance(data, dict) or not {"run", "quality", "corpus", "parity"} <= data.keys():
            raise UserInputError(f"{path}: not a run's metrics.json", "give results/<run>/report/metrics.json")
        loaded[data["run"]] = data
    settings = {run: data.get("settings", {}) for run, data in loaded.items()}
    columns, rows = summary_rows(loaded, settings, step_seconds(benchmarks or []), export_bytes(torch_weights or []))
    with atomic_open(summary_tsv) as out:
        out.write(_tsv([columns, *rows]))
    table = page_view(columns, rows, differing_settings(settings))
    curve = compact_rows(loaded, torch_weights or [], compact_weights or [])
    if compact_tsv is not None:
        with atomic_open(compact_tsv) as out:
            out.write(_tsv([COMPACT_COLUMNS, *curve]))
    curve_cells = [[render.number(v) if not isinstance(v, str) else v for v in row] for row in curve]
    page = render.render(
        "summary.html.j2",
        table=table,
        compact_titles=[COMPACT_TITLES[c] for c in COMPACT_COLUMNS],
        compact_rows=curve_cells,
    )
    with atomic_open(summary_html) as out:
        out.write(page)
    log.info("summarised %d runs into %s", len(rows), summary_tsv)
    return {"runs": len(rows), "columns": len(columns)}


summarize_runs.option_help = {
    "benchmarks": "Snakemake's benchmark files of the runs (results/<run>/benchmarks/*.tsv): the times",
}
