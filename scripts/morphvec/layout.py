"""Where every file of a run lives: ``results/<run>/<step>/<file>``, written down once.

Each file has a name that is unique across the workflow and equal to the parameter name of the
step functions that write or read it, so the Snakefile (``run_file("model_bin")``), the command
lines (``--run-dir``), the tests and the benchmarks all find files here.
"""

from pathlib import Path

RESULTS = "results"

# name -> path inside a run's directory
FILES = {
    # tokenize_corpus (one set per shard) and gather_tokens
    "documents": "tokenize_corpus/documents.json",
    "shard_tokens": "tokenize_corpus/shards/{shard}.txt",
    "shard_stats": "tokenize_corpus/shards/{shard}.stats.json",
    "shard_counts": "tokenize_corpus/shards/{shard}.counts.tsv",
    "shard_labels": "tokenize_corpus/shards/{shard}.labels.txt",
    "shard_eojeols": "tokenize_corpus/shards/{shard}.eojeols.tsv",
    "tokens": "tokenize_corpus/tokens.txt",
    "token_stats": "tokenize_corpus/stats.json",
    "token_counts": "tokenize_corpus/token_counts.tsv",
    "labels": "tokenize_corpus/labels.txt",
    "eojeol_counts": "tokenize_corpus/eojeol_counts.tsv",
    # train_fasttext
    "model_bin": "train_fasttext/model.bin",
    "model_vec": "train_fasttext/model.vec",
    "train_stats": "train_fasttext/stats.json",
    # load_gensim
    "gensim_model": "load_gensim/fasttext.model",
    "gensim_kv": "load_gensim/fasttext.kv",
    "gensim_stats": "load_gensim/stats.json",
    # extract_vectors
    "vocab": "extract_vectors/vocab.tsv",
    "word_vectors": "extract_vectors/word_vectors.npy",
    "ngram_vectors": "extract_vectors/ngram_vectors.npy",
    "ngram_settings": "extract_vectors/ngram_settings.json",
    "w2v_txt": "extract_vectors/vectors.w2v.txt",
    "w2v_bin": "extract_vectors/vectors.w2v.bin",
    "output_vectors": "extract_vectors/output_vectors.npy",
    # finetune_word2vec
    "finetune_model": "finetune_word2vec/word2vec.model",
    "finetune_stats": "finetune_word2vec/stats.json",
    # compress_vectors (one set per variant, optional)
    "compact_weights": "compress_vectors/{variant}/embeddings.safetensors",
    "compact_vocab": "compress_vectors/{variant}/vocab.txt",
    "compact_loader": "compress_vectors/{variant}/fasttext_torch.py",
    "compress_stats": "compress_vectors/{variant}/stats.json",
    # export_torch
    "torch_weights": "export_torch/embeddings.safetensors",
    "torch_vocab": "export_torch/vocab.txt",
    "torch_loader": "export_torch/fasttext_torch.py",
    # export_static: the sentence-transformers / model2vec folder
    "static_weights": "export_static/model.safetensors",
    "static_tokenizer": "export_static/tokenizer.json",
    "static_config": "export_static/config.json",
    "static_modules": "export_static/modules.json",
    "static_stats": "export_static/stats.json",
    "static_sif": "export_static/sif",  # the SIF flavour: the same four files (morphvec/sif.py)
    # tune_static (optional): a flavour trained on sentence pairs, the same four files (morphvec/tune.py)
    "static_tuned": "tune_static/flavour",
    # write_report
    "metrics": "report/metrics.json",
    "report_html": "report/report.html",
    "plots": "report/plots",
    # write_manifest: the run directory is an RO-Crate
    "manifest": "ro-crate-metadata.json",
    # package_model: the folder to publish (after the manifest, whose SHA-256 its card cites)
    "package": "package",
}

# Files of all runs together.
SUMMARY_FILES = {
    "summary_tsv": "summary.tsv",
    "summary_html": "summary.html",
    "compact_tsv": "summary_compact.tsv",
    "summarize_log": "logs/summarize_runs.log",
}


def run_file(name: str, run_dir: str | Path | None = None) -> str:
    """The path of file ``name``: in ``run_dir``, or as a Snakemake pattern with ``{run}``."""
    base = Path(run_dir) if run_dir is not None else Path(RESULTS) / "{run}"
    return str(base / FILES[name])


def run_files(*names: str) -> dict[str, str]:
    """Files by their layout names, as Snakemake patterns: a rule's named inputs or outputs
    (``output: **run_files("model_bin", "model_vec")``), each name written once."""
    return {name: run_file(name) for name in names}


# One shard's tokenize_corpus outputs: the step's parameter name -> the shard file's layout name.
SHARD_OUTPUTS = {
    "tokens": "shard_tokens",
    "token_stats": "shard_stats",
    "token_counts": "shard_counts",
    "labels": "shard_labels",
    "eojeol_counts": "shard_eojeols",
}


def shard_files() -> dict[str, str]:
    """One shard's outputs as Snakemake patterns under the step's parameter names."""
    return {parameter: run_file(name) for parameter, name in SHARD_OUTPUTS.items()}


def existing_run_files(run_dir: str | Path) -> dict:
    """Every file a run directory has, by layout name: one path each, and for the files of each
    compact variant the list of those present (``compact_weights``: every variant's weights)."""
    found: dict = {}
    for name, relative in FILES.items():
        if "{shard}" in relative:
            continue
        if "{variant}" in relative:
            found[name] = sorted(str(p) for p in Path(run_dir).glob(relative.replace("{variant}", "*")))
        elif (Path(run_dir) / relative).exists():
            found[name] = run_file(name, run_dir)
    return found


def log_file(step: str, run: str = "{run}") -> str:
    return f"{RESULTS}/{run}/logs/{step}.log"


def benchmark_file(step: str, run: str = "{run}") -> str:
    return f"{RESULTS}/{run}/benchmarks/{step}.tsv"


def summary_file(name: str) -> str:
    return f"{RESULTS}/{SUMMARY_FILES[name]}"
