# morphvec: raw corpus -> MeCab-ko morphemes -> fastText -> gensim -> PyTorch, with a report
# proving the three compute the same vectors.  Each rule runs one thin script in scripts/ that
# hands the job's named input/output/params to one library function of the same parameter names
# (scripts/morphvec/); the same script is a CLI (`python scripts/<rule>.py --help`).  Every path
# comes from scripts/morphvec/layout.py: results/<run>/<rule>/.
import math
import os
import re
import shlex
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import min_version, validate

# Every step's interpreter hashes strings with one seed: gensim pickles the names of the arrays it
# saves apart in the iteration order of a set of strings, so a random seed gives different bytes.
os.environ.setdefault("PYTHONHASHSEED", "0")
sys.path.insert(0, str(Path(workflow.basedir) / "scripts"))
from morphvec.compress import variant_problems
from morphvec.layout import FILES, benchmark_file, log_file, run_file, summary_file
from morphvec.provenance import run_inputs
from morphvec.schema import config_file_problem
from morphvec.training import fasttext_settings_problems

min_version("9.0")


configfile: "config/config.yaml"


report: "resources/report/workflow.rst"


def stop(message):
    """End with one message naming the file or key and the fix: a traceback helps no user here."""
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


CONFIG_FILES = [str(path) for path in workflow.overwrite_configfiles] or ["config/config.yaml"]
for config_path in CONFIG_FILES:
    if problem := config_file_problem(config_path):
        stop(problem)

try:
    validate(config, "config/schemas/config.schema.yaml")
except WorkflowError as error:
    # jsonschema's message ends with the whole schema and instance (~45 lines): keep the key and
    # the reason, which are what the user needs
    cause = error.__context__  # the jsonschema ValidationError it was raised from
    if not hasattr(cause, "message"):
        raise
    where = ".".join(str(part) for part in cause.absolute_path)
    stop(
        f"{', '.join(CONFIG_FILES)}: {where or 'the top level'}: {cause.message}\n"
        "  fix: see config/schemas/config.schema.yaml for the keys, their types and defaults"
    )

RUNS = config["runs"]
for run_name, run_config in RUNS.items():
    for problem in fasttext_settings_problems(run_config["fasttext"]):
        key, _, fix = problem.partition("; ")
        stop(f"{', '.join(CONFIG_FILES)}: runs.{run_name}.fasttext.{key}\n  fix: {fix}")
    compress = run_config["compress_vectors"]
    dim = run_config["fasttext"]["dim"]
    for problem in variant_problems(compress["variants"] if compress["activate"] else {}, dim):
        key, _, fix = problem.partition("; ")
        stop(f"{', '.join(CONFIG_FILES)}: runs.{run_name}.compress_vectors.{key}\n  fix: {fix}")


wildcard_constraints:
    run="|".join(re.escape(name) for name in RUNS),
    shard=r"\d+",
    variant=r"[A-Za-z0-9_.-]+",


# --- helpers -------------------------------------------------------------------------------

# Config keys that are files (inputs), workflow switches or job splits, not step options.
NOT_OPTIONS = {"path", "pretrained", "activate", "shards"}


def run_settings(run):
    """The validated (defaults filled) settings of one run."""
    return RUNS[run]


def is_activated(run, section):
    return run_settings(run)[section].get("activate", False)


def options(*names):
    """A params function: the config values a step's function takes, under their own keys
    (the config's keys are the function's keyword names). A name is a run-level key, a whole
    section or a `section.key`; NOT_OPTIONS stay out."""

    def from_config(wildcards):
        settings = run_settings(wildcards.run)
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


def get_final_output():
    """The per-run reports and the comparison of all runs: the rest is built on the way."""
    reports = [
        run_file(name).format(run=run)
        for run in RUNS
        for name in ("metrics", "report_html", "manifest")
    ]
    return [*reports, summary_file("summary_tsv"), summary_file("summary_html")]


def shard_count(run):
    """tokenizer.shards, or with "auto" one shard per started 64 MiB of corpus file."""
    shards = run_settings(run)["tokenizer"]["shards"]
    if shards != "auto":
        return shards
    path = Path(run_settings(run)["corpus"]["path"])
    size = path.stat().st_size if path.exists() else 0
    return max(1, math.ceil(size / (64 * 2**20)))


def shard_files(name):
    return lambda wildcards: expand(
        run_file(name), run=wildcards.run, shard=range(shard_count(wildcards.run))
    )


def tokenize_inputs(wildcards):
    """The corpus; with several shards also the document count that splits it."""
    inputs = {"corpus": run_settings(wildcards.run)["corpus"]["path"]}
    if shard_count(wildcards.run) > 1:
        inputs["documents"] = run_file("documents")
    return inputs


def tokenize_runtime(wildcards, input):
    """Minutes: MeCab does ~0.5 MB of text a second per process, Kiwi ~0.1 (both measured with
    room to spare on NSMC); x3 for safety, 10 at least."""
    megabytes = input.size_mb * (4 if str(input.corpus).endswith(".gz") else 1)
    rate = 0.1 if run_settings(wildcards.run)["tokenizer"]["name"] == "kiwi" else 0.5
    return max(10, math.ceil(3 * megabytes / shard_count(wildcards.run) / rate / 60))


def tokenize_mem_mb(wildcards, threads):
    """The reader plus one analyser per worker: MeCab-ko's ~100 MB, Kiwi's model ~500 MB (measured
    on full NSMC: 124 MB and 1,109 MB with 2 workers)."""
    per_worker = 600 if run_settings(wildcards.run)["tokenizer"]["name"] == "kiwi" else 400
    return 500 + per_worker * threads


def matrix_mb(wildcards):
    """fastText's input matrix: (bucket + ~vocabulary rows) x dim floats."""
    params = run_settings(wildcards.run)["fasttext"]
    return (params["bucket"] + 200_000) * params["dim"] * 4 / 1e6


def fasttext_mem_mb(wildcards):
    """fastText holds its matrix once (the n-gram repair works on the saved file in 16 MiB
    blocks), gensim's trainer about twice (measured on full NSMC with an 829 MB .bin: 2.2x);
    plus headroom."""
    copies = 2 if run_settings(wildcards.run)["trainer"] == "gensim" else 1
    return int(copies * matrix_mb(wildcards) + 1000)


def train_runtime(wildcards, input):
    """Minutes: fastText skipgram takes ~0.8 s per MB of tokens, epoch and 100 dims on one
    thread (measured: 197 s for NSMC's 100 MB, 5 epochs, 2 threads); x3 for safety."""
    params = run_settings(wildcards.run)["fasttext"]
    seconds = 0.8 * input.size_mb * params["epoch"] * params["dim"] / 100 / params["thread"]
    return max(10, math.ceil(3 * seconds / 60))


def model_mem_mb(wildcards):
    """The steps after training: at most 1.5x the .bin (bench/run records each step's peak
    against it), plus headroom for the interpreter and its libraries."""
    return int(1.5 * matrix_mb(wildcards) + 1000)


def check_run_inputs():
    """Stop before anything runs when an input named in the config is not a file.  Snakemake would
    not notice for a job whose outputs exist, and a report would name data it never read."""
    problems = []
    for run in RUNS:
        for key, path in run_inputs(run_settings(run)).items():
            if not Path(path).is_file():  # the schema makes sure each is given
                what = "is a directory" if Path(path).is_dir() else "does not exist"
                problems.append(f"runs.{run}.{key}: {path} {what}")
    if problems:
        stop(
            "input files named in the config are missing:\n  "
            + "\n  ".join(problems)
            + "\n  fix: correct the paths (relative paths start from the working directory)"
        )


def variants(run):
    """The compact-model variants of a run (none unless compress_vectors is activated)."""
    return (
        list(run_settings(run)["compress_vectors"]["variants"])
        if is_activated(run, "compress_vectors")
        else []
    )


def compact_files(name, run):
    return expand(run_file(name), run=run, variant=variants(run))


def report_inputs(wildcards):
    """Every run's files the report reads; the fine-tuned model when that step is on; and the
    run's own inputs, so that a changed or missing input path can never leave a report naming
    data it did not read (Snakemake does not look at the inputs of a job it does not rerun)."""
    run = wildcards.run
    names = ["tokens", "token_stats", "token_counts", "labels", "model_bin", "train_stats"]
    names += ["word_vectors", "ngram_vectors", "vocab", "ngram_settings", "output_vectors"]
    names += ["torch_weights", "torch_vocab", "torch_loader"]
    if is_activated(run, "finetune_word2vec"):
        names += ["finetune_model", "finetune_stats"]
    inputs = {name: run_file(name) for name in names}
    inputs["input_files"] = list(run_inputs(run_settings(run)).values())
    inputs["compact_weights"] = compact_files("compact_weights", run)
    return inputs


check_run_inputs()


def manifest_inputs(wildcards):
    """Every file of the run, so that the manifest is written last and again when one changes."""
    run = wildcards.run
    per_shard = ("shard_tokens", "shard_stats", "shard_counts", "shard_labels")
    per_variant = ("compact_weights", "compact_vocab", "compact_loader", "compress_stats")
    skip = {"manifest", "metrics", "plots", "documents", *per_shard, *per_variant}
    if not is_activated(run, "finetune_word2vec"):
        skip |= {"finetune_model", "finetune_stats"}
    files = [run_file(name) for name in FILES if name not in skip]
    for name in per_shard:
        files += shard_files(name)(wildcards)
    for name in per_variant:
        files += compact_files(name, run)
    return files


def rerun_command(run):
    """The command line that reruns a run, recorded in its manifest (config paths as given,
    relative to the working directory where they are inside it)."""
    inside = lambda path: os.path.abspath(path).startswith(os.getcwd() + os.sep)
    configs = [os.path.relpath(path) if inside(path) else path for path in CONFIG_FILES]
    arguments = [f"--configfile={path}" for path in configs]
    return shlex.join(
        ["snakemake", "--cores", "all", *arguments, run_file("manifest").format(run=run)]
    )


# --- rules ---------------------------------------------------------------------------------


rule all:
    default_target: True
    input:
        get_final_output(),
    localrule: True


rule count_documents:
    input:
        corpus=lambda wildcards: run_settings(wildcards.run)["corpus"]["path"],
    output:
        documents=run_file("documents"),
    log:
        log_file("count_documents"),
    conda:
        "envs/mecab.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=30,
    params:
        config=options("corpus", "tokenizer.invalid_utf8"),
    script:
        "scripts/count_documents.py"


rule tokenize_corpus:
    input:
        unpack(tokenize_inputs),
    output:
        tokens=run_file("shard_tokens"),
        token_stats=run_file("shard_stats"),
        token_counts=run_file("shard_counts"),
        labels=run_file("shard_labels"),
    log:
        log_file("tokenize_corpus.{shard}"),
    benchmark:
        benchmark_file("tokenize_corpus.{shard}")
    conda:
        "envs/mecab.yaml"
    threads: lambda wildcards: run_settings(wildcards.run)["tokenizer"]["threads"]
    resources:
        mem_mb=tokenize_mem_mb,
        runtime=lambda wildcards, input: tokenize_runtime(wildcards, input),
    params:
        config=options("corpus", "tokenizer"),
        shards=lambda wildcards: shard_count(wildcards.run),
    script:
        "scripts/tokenize_corpus.py"


rule gather_tokens:
    input:
        shard_tokens=shard_files("shard_tokens"),
        shard_stats=shard_files("shard_stats"),
        shard_counts=shard_files("shard_counts"),
        shard_labels=shard_files("shard_labels"),
    output:
        tokens=run_file("tokens"),
        token_stats=run_file("token_stats"),
        token_counts=run_file("token_counts"),
        labels=run_file("labels"),
    log:
        log_file("gather_tokens"),
    conda:
        "envs/mecab.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=30,
    script:
        "scripts/gather_tokens.py"


rule train_fasttext:
    input:
        tokens=rules.gather_tokens.output.tokens,
    output:
        model_bin=run_file("model_bin"),
        model_vec=run_file("model_vec"),
        train_stats=run_file("train_stats"),
    log:
        log_file("train_fasttext"),
    benchmark:
        benchmark_file("train_fasttext")
    conda:
        "envs/fasttext.yaml"
    threads: lambda wildcards: run_settings(wildcards.run)["fasttext"]["thread"]
    resources:
        mem_mb=fasttext_mem_mb,
        runtime=train_runtime,
    params:
        fasttext=lambda wildcards: run_settings(wildcards.run)["fasttext"],
        config=options("trainer", "fill_untrained_ngrams"),
    script:
        "scripts/train_fasttext.py"


rule load_gensim:
    input:
        model_bin=rules.train_fasttext.output.model_bin,
    output:
        gensim_model=run_file("gensim_model"),
        gensim_kv=run_file("gensim_kv"),
        gensim_stats=run_file("gensim_stats"),
    log:
        log_file("load_gensim"),
    benchmark:
        benchmark_file("load_gensim")
    conda:
        "envs/gensim.yaml"
    threads: 1
    resources:
        mem_mb=model_mem_mb,
        runtime=30,
    script:
        "scripts/load_gensim.py"


rule extract_vectors:
    input:
        gensim_model=rules.load_gensim.output.gensim_model,
    output:
        vocab=run_file("vocab"),
        word_vectors=run_file("word_vectors"),
        ngram_vectors=run_file("ngram_vectors"),
        ngram_settings=run_file("ngram_settings"),
        w2v_txt=run_file("w2v_txt"),
        w2v_bin=run_file("w2v_bin"),
        output_vectors=run_file("output_vectors"),
    log:
        log_file("extract_vectors"),
    benchmark:
        benchmark_file("extract_vectors")
    conda:
        "envs/gensim.yaml"
    threads: 1
    resources:
        mem_mb=model_mem_mb,
        runtime=30,
    script:
        "scripts/extract_vectors.py"


rule compress_vectors:
    input:
        word_vectors=rules.extract_vectors.output.word_vectors,
        ngram_vectors=rules.extract_vectors.output.ngram_vectors,
        vocab=rules.extract_vectors.output.vocab,
        ngram_settings=rules.extract_vectors.output.ngram_settings,
    output:
        compact_weights=run_file("compact_weights"),
        compact_vocab=run_file("compact_vocab"),
        compact_loader=run_file("compact_loader"),
        compress_stats=run_file("compress_stats"),
    log:
        log_file("compress_vectors.{variant}"),
    benchmark:
        benchmark_file("compress_vectors.{variant}")
    conda:
        "envs/report.yaml"
    threads: 1
    resources:
        mem_mb=model_mem_mb,
        runtime=60,
    params:
        config=options("compress_vectors"),
    script:
        "scripts/compress_vectors.py"


rule finetune_word2vec:
    input:
        tokens=rules.gather_tokens.output.tokens,
        pretrained=lambda wildcards: run_settings(wildcards.run)["finetune_word2vec"]["pretrained"],
    output:
        finetune_model=run_file("finetune_model"),
        finetune_stats=run_file("finetune_stats"),
    log:
        log_file("finetune_word2vec"),
    benchmark:
        benchmark_file("finetune_word2vec")
    conda:
        "envs/gensim.yaml"
    threads: lambda wildcards: run_settings(wildcards.run)["finetune_word2vec"]["workers"]
    resources:
        mem_mb=4000,
        runtime=120,
    params:
        config=options("finetune_word2vec", "evaluation.probe_words"),
    script:
        "scripts/finetune_word2vec.py"


rule export_torch:
    input:
        word_vectors=rules.extract_vectors.output.word_vectors,
        ngram_vectors=rules.extract_vectors.output.ngram_vectors,
        vocab=rules.extract_vectors.output.vocab,
        ngram_settings=rules.extract_vectors.output.ngram_settings,
        output_vectors=rules.extract_vectors.output.output_vectors,
    output:
        torch_weights=run_file("torch_weights"),
        torch_vocab=run_file("torch_vocab"),
        torch_loader=run_file("torch_loader"),
    log:
        log_file("export_torch"),
    benchmark:
        benchmark_file("export_torch")
    conda:
        "envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=model_mem_mb,
        runtime=30,
    script:
        "scripts/export_torch.py"


rule write_report:
    input:
        unpack(report_inputs),
    output:
        metrics=run_file("metrics"),
        report_html=report(
            run_file("report_html"),
            caption="resources/report/run_report.rst",
            category="Runs",
            subcategory="{run}",
            labels={"run": "{run}", "page": "report"},
        ),
        plots=report(
            directory(run_file("plots")),
            patterns=["{name}.png"],
            caption="resources/report/plots.rst",
            category="Runs",
            subcategory="{run}",
            labels={"run": "{run}", "figure": "{name}"},
        ),
    log:
        log_file("write_report"),
    benchmark:
        benchmark_file("write_report")
    conda:
        "envs/report.yaml"
    threads: 1
    resources:
        mem_mb=model_mem_mb,
        runtime=60,
    params:
        config=options("evaluation"),
        settings=lambda wildcards: run_settings(wildcards.run),
    script:
        "scripts/write_report.py"


rule write_manifest:
    input:
        metrics=run_file("metrics"),
        run_files=manifest_inputs,
    output:
        manifest=run_file("manifest"),
    log:
        log_file("write_manifest"),
    conda:
        "envs/report.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=30,
    params:
        settings=lambda wildcards: run_settings(wildcards.run),
        command=lambda wildcards: rerun_command(wildcards.run),
    script:
        "scripts/write_manifest.py"


rule summarize_runs:
    input:
        metrics=expand(run_file("metrics"), run=RUNS),
        benchmarks=[
            path
            for run in RUNS
            for path in [
                *expand(
                    benchmark_file("tokenize_corpus.{shard}", run), shard=range(shard_count(run))
                ),
                benchmark_file("train_fasttext", run),
            ]
        ],
        torch_weights=expand(run_file("torch_weights"), run=RUNS),
        compact_weights=[path for run in RUNS for path in compact_files("compact_weights", run)],
    output:
        summary_tsv=summary_file("summary_tsv"),
        compact_tsv=summary_file("compact_tsv"),
        summary_html=report(
            summary_file("summary_html"),
            caption="resources/report/summary.rst",
            category="Summary",
            labels={"page": "all runs"},
        ),
    log:
        "results/logs/summarize_runs.log",
    conda:
        "envs/report.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=10,
    script:
        "scripts/summarize_runs.py"
