# morphvec: raw corpus -> MeCab-ko morphemes -> fastText -> gensim -> PyTorch, with a report
# proving the three compute the same vectors.  Each rule runs one script in scripts/, which is
# also a standalone CLI (`python scripts/<rule>.py --help`).  Outputs: results/<run>/<rule>/.
import math
import re
from pathlib import Path

from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config/config.yaml"


report: "resources/report/workflow.rst"


validate(config, "config/schemas/config.schema.yaml")

RUNS = config["runs"]


wildcard_constraints:
    run="|".join(re.escape(name) for name in RUNS),
    shard=r"\d+",


# --- helpers -------------------------------------------------------------------------------


def run_settings(run):
    """The validated (defaults filled) settings of one run."""
    return RUNS[run]


def is_activated(run, section):
    return run_settings(run)[section].get("activate", False)


def get_final_output():
    """The per-run reports and the comparison of all runs: the rest is built on the way."""
    reports = expand("results/{run}/report/{file}", run=RUNS, file=["metrics.json", "report.html"])
    return [*reports, "results/summary.tsv", "results/summary.html"]


def corpus_options(wildcards):
    corpus = run_settings(wildcards.run)["corpus"]
    return {
        "fmt": corpus["format"],
        "text_column": corpus["text_column"],
        "invalid_utf8": run_settings(wildcards.run)["tokenizer"]["invalid_utf8"],
    }


def tokenize_options(wildcards):
    tokenizer = run_settings(wildcards.run)["tokenizer"]
    return {
        **corpus_options(wildcards),
        "tokenizer": tokenizer["name"],
        "lowercase": tokenizer["lowercase"],
        "max_chars": tokenizer["max_chars"],
        "label_column": run_settings(wildcards.run)["corpus"]["label_column"],
    }


def shard_count(run):
    """tokenizer.shards, or with "auto" one shard per started 64 MiB of corpus file."""
    shards = run_settings(run)["tokenizer"]["shards"]
    if shards != "auto":
        return shards
    path = Path(run_settings(run)["corpus"]["path"])
    size = path.stat().st_size if path.exists() else 0
    return max(1, math.ceil(size / (64 * 2**20)))


def shard_files(run, suffix):
    return [
        f"results/{run}/tokenize_corpus/shards/{shard}.{suffix}"
        for shard in range(shard_count(run))
    ]


def tokenize_inputs(wildcards):
    """The corpus; with several shards also the document count that splits it."""
    inputs = {"corpus": run_settings(wildcards.run)["corpus"]["path"]}
    if shard_count(wildcards.run) > 1:
        inputs["document_count"] = f"results/{wildcards.run}/tokenize_corpus/documents.json"
    return inputs


def tokenize_runtime(wildcards, input):
    """Minutes: MeCab does ~0.5 MB of text a second per process; x3 for safety, 10 at least."""
    megabytes = input.size_mb * (4 if str(input.corpus).endswith(".gz") else 1)
    return max(10, math.ceil(3 * megabytes / shard_count(wildcards.run) / 0.5 / 60))


def fasttext_mem_mb(wildcards):
    """fastText's input matrix (bucket + ~vocabulary rows) x dim floats, held about three
    times (fastText, the numpy copy for the n-gram fix, set_matrices), plus headroom."""
    params = run_settings(wildcards.run)["fasttext"]
    matrix_mb = (params["bucket"] + 200_000) * params["dim"] * 4 / 1e6
    return int(3 * matrix_mb + 1000)


def train_runtime(wildcards, input):
    """Minutes: fastText skipgram takes ~0.8 s per MB of tokens, epoch and 100 dims on one
    thread (measured: 197 s for NSMC's 100 MB, 5 epochs, 2 threads); x3 for safety."""
    params = run_settings(wildcards.run)["fasttext"]
    seconds = 0.8 * input.size_mb * params["epoch"] * params["dim"] / 100 / params["thread"]
    return max(10, math.ceil(3 * seconds / 60))


def model_mem_mb(wildcards):
    """Loading the model in gensim/torch: a few copies of the input matrix."""
    params = run_settings(wildcards.run)["fasttext"]
    return int(4 * (params["bucket"] + 200_000) * params["dim"] * 4 / 1e6 + 1000)


def finetune_options(wildcards):
    probe_words = run_settings(wildcards.run)["evaluation"]["probe_words"]
    options = dict(run_settings(wildcards.run)["finetune_word2vec"])
    options.pop("activate", None)
    options.pop("pretrained", None)
    keys = ("binary", "limit", "lockf", "vector_size")
    return {
        **{key: options.pop(key) for key in keys},
        "params": options,
        "probe_words": probe_words,
    }


def report_inputs(wildcards):
    run = wildcards.run
    evaluation = run_settings(run)["evaluation"]
    inputs = {
        "tokens": f"results/{run}/tokenize_corpus/tokens.txt",
        "token_stats": f"results/{run}/tokenize_corpus/stats.json",
        "bin": f"results/{run}/train_fasttext/model.bin",
        "train_stats": f"results/{run}/train_fasttext/stats.json",
        "token_counts": f"results/{run}/tokenize_corpus/token_counts.tsv",
        "labels": f"results/{run}/tokenize_corpus/labels.txt",
        "kv": f"results/{run}/load_gensim/fasttext.kv",
        "torch_weights": f"results/{run}/export_torch/embeddings.safetensors",
        "torch_vocab": f"results/{run}/export_torch/vocab.txt",
        "torch_loader": f"results/{run}/export_torch/fasttext_torch.py",
        "evaluation_files": [*evaluation["similarity"].values(), *evaluation["analogy"].values()],
    }
    if is_activated(run, "finetune_word2vec"):
        inputs["finetune_model"] = f"results/{run}/finetune_word2vec/word2vec.model"
        inputs["finetune_stats"] = f"results/{run}/finetune_word2vec/stats.json"
    return inputs


def report_options(wildcards):
    evaluation = run_settings(wildcards.run)["evaluation"]
    return {
        "similarity": evaluation["similarity"],
        "analogy": evaluation["analogy"],
        "probe_words": evaluation["probe_words"],
        "pca_words": evaluation["pca_words"],
        "pca_top_n": evaluation["pca_top_n"],
        "sentiment": evaluation["sentiment_probe"],
        "samples": evaluation["samples"],
        "tolerance": evaluation["tolerance"],
        "seed": evaluation["seed"],
        "settings": run_settings(wildcards.run),
    }


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
        documents="results/{run}/tokenize_corpus/documents.json",
    log:
        "results/{run}/logs/count_documents.log",
    conda:
        "envs/mecab.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=30,
    params:
        options=corpus_options,
    script:
        "scripts/count_documents.py"


rule tokenize_corpus:
    input:
        unpack(tokenize_inputs),
    output:
        tokens="results/{run}/tokenize_corpus/shards/{shard}.txt",
        stats="results/{run}/tokenize_corpus/shards/{shard}.stats.json",
        counts="results/{run}/tokenize_corpus/shards/{shard}.counts.tsv",
        labels="results/{run}/tokenize_corpus/shards/{shard}.labels.txt",
    log:
        "results/{run}/logs/tokenize_corpus.{shard}.log",
    benchmark:
        "results/{run}/benchmarks/tokenize_corpus.{shard}.tsv"
    conda:
        "envs/mecab.yaml"
    threads: lambda wildcards: run_settings(wildcards.run)["tokenizer"]["threads"]
    resources:
        mem_mb=lambda wildcards, threads: 500 + 400 * threads,
        runtime=lambda wildcards, input: tokenize_runtime(wildcards, input),
    params:
        options=tokenize_options,
        shards=lambda wildcards: shard_count(wildcards.run),
    script:
        "scripts/tokenize_corpus.py"


rule gather_tokens:
    input:
        tokens=lambda wildcards: shard_files(wildcards.run, "txt"),
        stats=lambda wildcards: shard_files(wildcards.run, "stats.json"),
        counts=lambda wildcards: shard_files(wildcards.run, "counts.tsv"),
        labels=lambda wildcards: shard_files(wildcards.run, "labels.txt"),
    output:
        tokens="results/{run}/tokenize_corpus/tokens.txt",
        stats="results/{run}/tokenize_corpus/stats.json",
        counts="results/{run}/tokenize_corpus/token_counts.tsv",
        labels="results/{run}/tokenize_corpus/labels.txt",
    log:
        "results/{run}/logs/gather_tokens.log",
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
        tokens="results/{run}/tokenize_corpus/tokens.txt",
    output:
        bin="results/{run}/train_fasttext/model.bin",
        vec="results/{run}/train_fasttext/model.vec",
        stats="results/{run}/train_fasttext/stats.json",
    log:
        "results/{run}/logs/train_fasttext.log",
    benchmark:
        "results/{run}/benchmarks/train_fasttext.tsv"
    conda:
        "envs/fasttext.yaml"
    threads: lambda wildcards: run_settings(wildcards.run)["fasttext"]["thread"]
    resources:
        mem_mb=fasttext_mem_mb,
        runtime=train_runtime,
    params:
        fasttext=lambda wildcards: run_settings(wildcards.run)["fasttext"],
        trainer=lambda wildcards: run_settings(wildcards.run)["trainer"],
        fill_untrained_ngrams=lambda wildcards: run_settings(wildcards.run)["fill_untrained_ngrams"],
    script:
        "scripts/train_fasttext.py"


rule load_gensim:
    input:
        bin="results/{run}/train_fasttext/model.bin",
    output:
        model="results/{run}/load_gensim/fasttext.model",
        kv="results/{run}/load_gensim/fasttext.kv",
        stats="results/{run}/load_gensim/stats.json",
    log:
        "results/{run}/logs/load_gensim.log",
    benchmark:
        "results/{run}/benchmarks/load_gensim.tsv"
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
        model="results/{run}/load_gensim/fasttext.model",
    output:
        vocab="results/{run}/extract_vectors/vocab.tsv",
        word_vectors="results/{run}/extract_vectors/word_vectors.npy",
        ngram_vectors="results/{run}/extract_vectors/ngram_vectors.npy",
        ngram_settings="results/{run}/extract_vectors/ngram_settings.json",
        w2v_txt="results/{run}/extract_vectors/vectors.w2v.txt",
        w2v_bin="results/{run}/extract_vectors/vectors.w2v.bin",
        output_vectors="results/{run}/extract_vectors/output_vectors.npy",
    log:
        "results/{run}/logs/extract_vectors.log",
    benchmark:
        "results/{run}/benchmarks/extract_vectors.tsv"
    conda:
        "envs/gensim.yaml"
    threads: 1
    resources:
        mem_mb=model_mem_mb,
        runtime=30,
    script:
        "scripts/extract_vectors.py"


rule finetune_word2vec:
    input:
        tokens="results/{run}/tokenize_corpus/tokens.txt",
        pretrained=lambda wildcards: run_settings(wildcards.run)["finetune_word2vec"]["pretrained"],
    output:
        model="results/{run}/finetune_word2vec/word2vec.model",
        stats="results/{run}/finetune_word2vec/stats.json",
    log:
        "results/{run}/logs/finetune_word2vec.log",
    benchmark:
        "results/{run}/benchmarks/finetune_word2vec.tsv"
    conda:
        "envs/gensim.yaml"
    threads: lambda wildcards: run_settings(wildcards.run)["finetune_word2vec"]["workers"]
    resources:
        mem_mb=4000,
        runtime=120,
    params:
        options=finetune_options,
    script:
        "scripts/finetune_word2vec.py"


rule export_torch:
    input:
        word_vectors="results/{run}/extract_vectors/word_vectors.npy",
        ngram_vectors="results/{run}/extract_vectors/ngram_vectors.npy",
        vocab="results/{run}/extract_vectors/vocab.tsv",
        ngram_settings="results/{run}/extract_vectors/ngram_settings.json",
    output:
        weights="results/{run}/export_torch/embeddings.safetensors",
        vocab="results/{run}/export_torch/vocab.txt",
        loader="results/{run}/export_torch/fasttext_torch.py",
    log:
        "results/{run}/logs/export_torch.log",
    benchmark:
        "results/{run}/benchmarks/export_torch.tsv"
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
        metrics="results/{run}/report/metrics.json",
        html=report(
            "results/{run}/report/report.html",
            caption="resources/report/run_report.rst",
            category="Runs",
            subcategory="{run}",
            labels={"run": "{run}", "page": "report"},
        ),
        plots=report(
            directory("results/{run}/report/plots"),
            patterns=["{name}.png"],
            caption="resources/report/plots.rst",
            category="Runs",
            subcategory="{run}",
            labels={"run": "{run}", "figure": "{name}"},
        ),
    log:
        "results/{run}/logs/write_report.log",
    benchmark:
        "results/{run}/benchmarks/write_report.tsv"
    conda:
        "envs/report.yaml"
    threads: 1
    resources:
        mem_mb=model_mem_mb,
        runtime=60,
    params:
        options=report_options,
    script:
        "scripts/write_report.py"


rule summarize_runs:
    input:
        metrics=expand("results/{run}/report/metrics.json", run=RUNS),
    output:
        tsv="results/summary.tsv",
        html=report(
            "results/summary.html",
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
    params:
        runs=list(RUNS),
        settings={name: RUNS[name] for name in RUNS},
    script:
        "scripts/summarize_runs.py"
