"""What the Snakefile asks of a config: its checks, its runs' input functions, params and resources.

The Snakefile holds rules only; everything they compute comes from one :class:`Workflow` built
from the loaded config (``workflow_for(config, config_files)``), so it is tested like the rest of
the library (``tests/test_workflow_plan.py``).  Every failure here is one message naming the
config file and key, and the process ends before Snakemake plans anything.
"""

import inspect
import math
import os
import re
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from morphvec import bundle
from morphvec.layout import FILES, SHARD_OUTPUTS, benchmark_file, run_file, summary_file
from morphvec.provenance import change_inputs, run_inputs
from morphvec.schema import SCHEMA_PATH, config_file_problem, run_problems
from morphvec.tokenizers import TOKENIZERS

# Config keys that are files (inputs), workflow switches or job splits, not step options.
NOT_OPTIONS = {"path", "pretrained", "pairs", "start", "activate", "shards"}
# MiB the eojeol counts take per MB of text: 140 MiB for NSMC's 127 MB (1.18M types, measured
# 2026-12-01); types grow more slowly than text, so this overestimates larger shards.
EOJEOL_COUNTS_MB = 1.1
SHARD_BYTES = 64 * 2**20  # tokenizer.shards: auto = one shard per started 64 MiB of corpus file
RETRY_GROWTH = 2  # a retried job asks for this much more memory and time than its last attempt
# The Snakemake process that runs a job on a cluster node: SLURM counts its memory with the step's
# (135 MiB measured parsing this workflow; a compact job over its estimate by 30 MiB was killed).
JOB_PROCESS_MB = 200

# How Snakemake's own report (`snakemake --report`) shows the pages and figures.
REPORT_ENTRIES = {
    "report_html": {
        "caption": "resources/report/run_report.rst",
        "category": "Runs",
        "subcategory": "{run}",
        "labels": {"run": "{run}", "page": "report"},
    },
    "plots": {
        "patterns": ["{name}.png"],
        "caption": "resources/report/plots.rst",
        "category": "Runs",
        "subcategory": "{run}",
        "labels": {"run": "{run}", "figure": "{name}"},
    },
    "summary_html": {"caption": "resources/report/summary.rst", "category": "Summary", "labels": {"page": "all runs"}},
}


def stop(message: str) -> NoReturn:
    """End with one message naming the file or key and the fix: a traceback helps no user here."""
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


def validate_config(config: dict, config_files: list[str]) -> None:
    """The config files' own problems (syntax, keys twice, no runs), then the schema (filling in
    its defaults, as ``snakemake.utils.validate`` does), then every cross-key rule of each run."""
    from snakemake.exceptions import WorkflowError
    from snakemake.utils import validate

    for path in config_files:
        if problem := config_file_problem(path):
            stop(problem)
    files = ", ".join(config_files) or "the host workflow's config"
    try:
        validate(config, str(SCHEMA_PATH))
    except WorkflowError as error:
        # jsonschema's message ends with the whole schema and instance (~45 lines): keep the key and
        # the reason, which are what the user needs
        cause = error.__context__  # the jsonschema ValidationError it was raised from
        if not hasattr(cause, "message"):
            raise
        where = ".".join(str(part) for part in cause.absolute_path)
        stop(
            f"{files}: {where or 'the top level'}: {cause.message}\n"
            "  fix: see config/schemas/config.schema.yaml for the keys, their types and defaults"
        )
    for name, settings in config["runs"].items():
        for problem in run_problems(settings):
            stop(f"{files}: runs.{name}.{problem.key}: {problem.message}\n  fix: {problem.fix}")
        change_inputs(settings, bundle.resolve)  # morphvec:resources/... -> the bundled file


class Workflow:
    """The validated runs of a config and what the rules compute from them."""

    def __init__(
        self, runs: dict[str, dict], config_files: list[str], rerun: list[str] | None = None, prefix: str = ""
    ) -> None:
        self.runs = runs
        self.config_files = config_files
        self.rerun = rerun or ["morphvec", "run"]  # the command that reruns a run (the host's snakemake)
        self.prefix = prefix  # a host workflow's module prefix, before every path of the rules

    # --- settings and params ----------------------------------------------------------------

    def settings(self, run: str) -> dict:
        """The validated (defaults filled) settings of one run."""
        return self.runs[run]

    def is_activated(self, run: str, section: str) -> bool:
        return self.settings(run)[section].get("activate", False)

    def options(self, *names: str) -> Callable:
        """A params function: the config values a step's function takes, under their own keys
        (the config's keys are the function's keyword names).  A name is a run-level key, a whole
        section or a ``section.key``; NOT_OPTIONS stay out."""

        def from_config(wildcards) -> dict:
            settings = self.settings(wildcards.run)
            picked = {}
            for name in names:
                section, _, key = name.partition(".")
                value = settings[section]
                if key:
                    picked[key] = value[key]
                elif not isinstance(value, dict):
                    picked[section] = value
                else:
                    picked.update({k: v for k, v in value.items() if k not in NOT_OPTIONS})
            return picked

        return from_config

    def setting(self, *keys: str) -> Callable:
        """An input, params or threads function: the job's run settings, or the part ``keys`` name
        (``setting("fasttext")``, ``setting("tokenizer", "threads")``)."""

        def of_run(wildcards) -> Any:
            value = self.settings(wildcards.run)
            for key in keys:
                value = value[key]
            return value

        return of_run

    def rerun_command(self, run: str) -> str:
        """The command line that reruns a run, recorded in its manifest (config paths as given,
        relative to the working directory where they are inside it)."""
        inside = lambda path: os.path.abspath(path).startswith(os.getcwd() + os.sep)  # noqa: E731
        configs = [os.path.relpath(path) if inside(path) else path for path in self.config_files]
        arguments = [f"--configfile={path}" for path in configs]
        target = self.prefix + run_file("manifest").format(run=run)
        return shlex.join([*self.rerun, "--cores", "all", *arguments, target])

    # --- files ------------------------------------------------------------------------------

    def final_outputs(self) -> list[str]:
        """The per-run reports and the comparison of all runs: the rest is built on the way."""
        names = ("metrics", "report_html", "manifest", "package")
        reports = [run_file(name).format(run=run) for run in self.runs for name in names]
        return [*reports, summary_file("summary_tsv"), summary_file("summary_html")]

    def shard_count(self, run: str) -> int:
        """tokenizer.shards, or with "auto" one shard per started 64 MiB of corpus file."""
        shards = self.settings(run)["tokenizer"]["shards"]
        if shards != "auto":
            return shards
        path = Path(self.settings(run)["corpus"]["path"])
        size = path.stat().st_size if path.exists() else 0
        return max(1, math.ceil(size / SHARD_BYTES))

    def shard_files(self, name: str) -> Callable:
        return lambda wildcards: [
            run_file(name).format(run=wildcards.run, shard=shard) for shard in range(self.shard_count(wildcards.run))
        ]

    def shard_inputs(self, wildcards) -> dict[str, list[str]]:
        """Every shard's files, in shard order, under their layout names (gather_tokens)."""
        return {name: self.shard_files(name)(wildcards) for name in SHARD_OUTPUTS.values()}

    def wildcard_constraints(self) -> dict[str, str]:
        """Runs are the config's names; shards numbers; variants names without slashes."""
        return {"run": "|".join(re.escape(name) for name in self.runs), "shard": r"\d+", "variant": r"[A-Za-z0-9_.-]+"}

    def tokenize_inputs(self, wildcards) -> dict:
        """The corpus; with several shards also the document count that splits it."""
        inputs = {"corpus": self.settings(wildcards.run)["corpus"]["path"]}
        if self.shard_count(wildcards.run) > 1:
            inputs["documents"] = run_file("documents")
        return inputs

    def variants(self, run: str) -> list[str]:
        """The compact-model variants of a run (none unless compress_vectors is activated)."""
        if not self.is_activated(run, "compress_vectors"):
            return []
        return list(self.settings(run)["compress_vectors"]["variants"])

    def compact_files(self, name: str, run: str) -> list[str]:
        return [run_file(name).format(run=run, variant=variant) for variant in self.variants(run)]

    def report_inputs(self, wildcards) -> dict:
        """Every run's file the report reads; the fine-tuned model when that step is on; and the
        run's own inputs, so that a changed or missing input path can never leave a report naming
        data it did not read (Snakemake does not look at the inputs of a job it does not rerun)."""
        run = wildcards.run
        names = ["tokens", "token_stats", "token_counts", "labels", "eojeol_counts", "model_bin", "train_stats"]
        names += ["word_vectors", "ngram_vectors", "vocab", "ngram_settings", "output_vectors"]
        names += ["torch_weights", "torch_vocab", "torch_loader", "static_weights", "static_tokenizer", "static_stats"]
        names += ["static_sif"]
        if self.is_activated(run, "tune_static"):
            names += ["static_tuned"]
        if self.is_activated(run, "finetune_word2vec"):
            names += ["finetune_model", "finetune_stats"]
        inputs: dict[str, Any] = {name: run_file(name).format(run=run) for name in names}
        inputs["input_files"] = list(run_inputs(self.settings(run)).values())
        inputs["compact_weights"] = self.compact_files("compact_weights", run)
        return inputs

    def manifest_inputs(self, wildcards) -> dict:
        """Every file of the run (``run_files``) and its metrics, so that the manifest is written
        last and again when one changes."""
        run = wildcards.run
        per_shard = tuple(SHARD_OUTPUTS.values())
        per_variant = ("compact_weights", "compact_vocab", "compact_loader", "compress_stats")
        skip = {"manifest", "metrics", "plots", "documents", "package", *per_shard, *per_variant}
        if not self.is_activated(run, "finetune_word2vec"):
            skip |= {"finetune_model", "finetune_stats"}
        if not self.is_activated(run, "tune_static"):
            skip.add("static_tuned")
        files = [run_file(name).format(run=run) for name in FILES if name not in skip]
        for name in per_shard:
            files += self.shard_files(name)(wildcards)
        for name in per_variant:
            files += self.compact_files(name, run)
        return {"metrics": run_file("metrics").format(run=run), "run_files": files}

    def package_inputs(self, wildcards) -> dict[str, str]:
        """What the published folder holds and its card cites."""
        names = ["model_bin", "torch_weights", "torch_vocab", "torch_loader", "static_weights", "static_tokenizer"]
        names += ["static_config", "static_modules", "static_stats", "static_sif", "metrics", "manifest"]
        if self.is_activated(wildcards.run, "tune_static"):
            names.append("static_tuned")
        return {name: run_file(name).format(run=wildcards.run) for name in names}

    def summary_inputs(self) -> dict[str, list[str]]:
        """What the summary compares: every run's metrics, exports and timing files (each
        tokenize shard's and the training's)."""
        benchmarks = [
            path
            for run in self.runs
            for path in [
                *(benchmark_file(f"tokenize_corpus.{shard}", run) for shard in range(self.shard_count(run))),
                benchmark_file("train_fasttext", run),
            ]
        ]
        return {
            "metrics": [run_file("metrics").format(run=run) for run in self.runs],
            "benchmarks": benchmarks,
            "torch_weights": [run_file("torch_weights").format(run=run) for run in self.runs],
            "compact_weights": [path for run in self.runs for path in self.compact_files("compact_weights", run)],
        }

    def check_run_inputs(self) -> None:
        """Stop before anything runs when an input named in the config is not a file.  Snakemake
        would not notice for a job whose outputs exist, and a report would name data it never read."""
        problems = []
        for run in self.runs:
            for key, path in run_inputs(self.settings(run)).items():
                if not Path(path).is_file():  # the schema makes sure each is given
                    what = "is a directory" if Path(path).is_dir() else "does not exist"
                    problems.append(f"runs.{run}.{key}: {path} {what}")
        if problems:
            stop(
                "input files named in the config are missing:\n  "
                + "\n  ".join(problems)
                + "\n  fix: correct the paths (relative paths start from the working directory)"
            )

    # --- resources: SLURM asks for them; each is measured (bench/) with room to spare --------

    @staticmethod
    def grows(estimate: Callable | int) -> Callable:
        """A resource (``mem_mb``, ``runtime``) that doubles with each attempt: a job that a
        cluster killed for memory or time (the profile's ``retries``) asks for twice as much
        again.  ``estimate``: a number, or one of the methods below (given the arguments it takes)."""
        wanted = set(inspect.signature(estimate).parameters) if callable(estimate) else set()

        def resource(wildcards, input, threads, attempt) -> int:
            given = {"wildcards": wildcards, "input": input, "threads": threads}
            base = estimate(**{k: v for k, v in given.items() if k in wanted}) if callable(estimate) else estimate
            return int(base * RETRY_GROWTH ** (attempt - 1))

        return resource

    def shard_text_mb(self, wildcards, input) -> float:
        """Megabytes of text in one shard (a .gz counted as 4x its size)."""
        megabytes = input.size_mb * (4 if str(input.corpus).endswith(".gz") else 1)
        return megabytes / self.shard_count(wildcards.run)

    def tokenize_runtime(self, wildcards, input) -> int:
        """Minutes: the corpus share of one shard at the tokenizer's measured speed per worker,
        x3 for safety, 10 at least."""
        rate = TOKENIZERS[self.settings(wildcards.run)["tokenizer"]["name"]].mb_per_second
        return max(10, math.ceil(3 * self.shard_text_mb(wildcards, input) / rate / 60))

    def tokenize_mem_mb(self, wildcards, input, threads) -> int:
        """The reader (150 MiB measured), the eojeol counts (:data:`EOJEOL_COUNTS_MB`: they grow
        with the text), plus one tokenizer per worker process, or one for a tokenizer on its own
        threads, at the registry's measured memory each; x1.5 for safety, and the job's own
        Snakemake process."""
        entry = TOKENIZERS[self.settings(wildcards.run)["tokenizer"]["name"]]
        eojeol_mb = EOJEOL_COUNTS_MB * self.shard_text_mb(wildcards, input)
        return int(1.5 * (150 + eojeol_mb + entry.worker_mb * (1 if entry.own_threads else threads)) + JOB_PROCESS_MB)

    def matrix_mb(self, wildcards) -> float:
        """fastText's input matrix: (bucket + ~vocabulary rows) x dim floats."""
        params = self.settings(wildcards.run)["fasttext"]
        return (params["bucket"] + 200_000) * params["dim"] * 4 / 1e6

    def fasttext_mem_mb(self, wildcards) -> int:
        """fastText holds its matrix once (the n-gram repair works on the saved file in 16 MiB
        blocks), gensim's trainer about twice (measured on full NSMC with an 829 MB .bin: 2.2x);
        plus headroom."""
        copies = 2 if self.settings(wildcards.run)["trainer"] == "gensim" else 1
        return int(copies * self.matrix_mb(wildcards) + 1000)

    def train_runtime(self, wildcards, input) -> int:
        """Minutes: fastText skipgram takes ~0.8 s per MB of tokens, epoch and 100 dims on one
        thread (measured: 197 s for NSMC's 100 MB, 5 epochs, 2 threads); x3 for safety."""
        params = self.settings(wildcards.run)["fasttext"]
        seconds = 0.8 * input.size_mb * params["epoch"] * params["dim"] / 100 / params["thread"]
        return max(10, math.ceil(3 * seconds / 60))

    def compress_mem_mb(self, wildcards) -> int:
        """The compact step reads the kept rows, not the matrix: its libraries (~350 MiB) and
        about twice the kept rows (bench/run on full NSMC: 556-600 MiB for 178,928 rows of 100
        floats, 433 for 60,000); x1.5 for safety, and the job's own Snakemake process."""
        settings = self.settings(wildcards.run)
        variant = settings["compress_vectors"]["variants"][wildcards.variant]
        rows_mb = (variant["words"] + variant["buckets"]) * settings["fasttext"]["dim"] * 4 / 1e6
        return int(1.5 * (350 + 2 * rows_mb) + JOB_PROCESS_MB)

    def model_mem_mb(self, wildcards) -> int:
        """The steps after training: at most 1.5x the .bin (bench/run records each step's peak
        against it), plus headroom for the interpreter and its libraries."""
        return int(1.5 * self.matrix_mb(wildcards) + 1000)

    def tune_inputs(self, wildcards) -> dict:
        """The tune_static step's inputs: the flavour it starts from, the pairs, the token
        statistics (the analyser) and the run's evaluation pair files (never trained on)."""
        settings = self.settings(wildcards.run)
        start = "static_sif" if settings["tune_static"]["start"] == "sif" else "static_weights"
        folder = run_file(start).format(run=wildcards.run)  # a file inside a folder output is no input
        return {
            "static_start": folder,  # the SIF folder, or the parity flavour's model.safetensors
            "pairs": settings["tune_static"]["pairs"],
            "token_stats": run_file("token_stats").format(run=wildcards.run),
            "exclude": list(settings["evaluation"]["sts"].values()),
        }

    def tune_mem_mb(self, wildcards) -> int:
        """The tuned flavour: the static table four times (weights, gradient, Adam's two moments)
        beside the models' estimate, the analyser's process and the job's own."""
        settings = self.settings(wildcards.run)
        entry = TOKENIZERS.get(settings["tokenizer"]["name"])
        return self.model_mem_mb(wildcards) + (entry.worker_mb if entry else 0) + JOB_PROCESS_MB

    def static_mem_mb(self, wildcards) -> int:
        """The static export: the models, as the steps after training, plus the raw-text rows'
        analyser (its own process, ended before the torch export is opened) and the job's process."""
        settings = self.settings(wildcards.run)
        entry = TOKENIZERS.get(settings["tokenizer"]["name"])
        analyser = entry.worker_mb if entry and settings["export_static"]["raw_text"] else 0
        return self.model_mem_mb(wildcards) + analyser + JOB_PROCESS_MB

    def report_mem_mb(self, wildcards) -> int:
        """The report: the models, as the steps after training, and beside them the sentence
        section's bootstrap and TF-IDF (+280 MiB at its peak on the bundled run's 2,879 KorSTS
        pairs) and the job's own Snakemake process (a tiny run's report, asked 1,021 MiB, was
        killed at 1,045 by the test cluster)."""
        return self.model_mem_mb(wildcards) + 300 + JOB_PROCESS_MB


def check_snakefile_source(basedir: Any) -> None:
    """Stop unless the Snakefile is a local file beside this library (a checkout's ``scripts/``, or
    the installed wheel's workflow folder).  A module read with ``github(…)``/``gitfile(…)`` is not:
    Snakemake 9.27.1 cannot run its ``script:`` rules (a top-level Snakefile's folder joins to
    ``/scripts/…``, and the rerun check fails joining a remote folder to a local path), and the
    ``morphvec`` it imported is whatever the host has installed, maybe another version."""
    folder = str(basedir)
    library = Path(__file__).resolve().parents[1]
    if not Path(folder).is_dir():
        stop(
            f"morphvec's Snakefile is read from {folder}, not a local folder: Snakemake cannot run its steps from "
            "there (the README's section on modules says why)\n  fix: name a local Snakefile in the module, from a "
            "clone at the release's tag (git clone --branch vX.Y.Z …) or the installed wheel's "
            "(from morphvec.bundle import SNAKEFILE)"
        )
    own = Path(folder).resolve()
    if own / "scripts" != library and not (bundle.INSTALLED and own == Path(bundle.WORKFLOW).resolve()):
        stop(
            f"the Snakefile in {folder} is not the one of the morphvec library it imported ({library})\n"
            "  fix: use one morphvec: the Snakefile beside the library, or the installed wheel's "
            "(from morphvec.bundle import SNAKEFILE)"
        )


def workflow_for(config: dict, overwrite_configfiles: list, modifier: Any = None, basedir: Any = None) -> Workflow:
    """The checked workflow of a loaded config (``workflow.overwrite_configfiles`` names the
    ``--configfile`` files; without any the default config was read).  Stops with one message on
    a bad config or a missing input file.  ``modifier``: the Snakefile's ``workflow.modifier``,
    which names a module (``module morphvec: …`` in a host workflow; Snakemake marks its top
    workflow ``is_module`` too, so the namespace tells) and its ``prefix:``, which Snakemake puts
    before every relative path of the rules: the user's own files (corpus, evaluation files,
    pretrained vectors) then become absolute paths.  ``basedir``: the Snakefile's folder
    (``workflow.current_basedir``), checked by :func:`check_snakefile_source`."""
    if basedir is not None:
        check_snakefile_source(basedir)
    is_module = getattr(modifier, "namespace", None) is not None
    module_prefix = modifier.path_modifier.prefix if is_module else None
    # Every step's interpreter hashes strings with one seed: gensim pickles the names of the arrays
    # it saves apart in the iteration order of a set of strings, so a random seed gives other bytes.
    os.environ.setdefault("PYTHONHASHSEED", "0")
    # Every job imports this workflow's own library, not another checkout's installed copy (a
    # `pip install -e` elsewhere would come first on sys.path: Snakemake appends its search path).
    library = str(Path(__file__).resolve().parents[1])
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [library, *(p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != library)]
    )
    config_files = [str(path) for path in overwrite_configfiles] or ([] if is_module else [str(bundle.DEFAULT_CONFIG)])
    validate_config(config, config_files)
    if module_prefix:
        for settings in config["runs"].values():
            change_inputs(settings, os.path.abspath)
    rerun = ["snakemake"] if is_module else ["morphvec", "run"]
    plan = Workflow(config["runs"], config_files, rerun, module_prefix or "")
    plan.check_run_inputs()
    return plan
