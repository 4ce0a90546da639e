# morphvec's rules: thin scripts over library functions; paths in morphvec/layout.py, the rest in morphvec/workflow.py
import sys
from pathlib import Path

from snakemake.utils import min_version

# this Snakefile's own library (a checkout's scripts/, or the wheel's), also as a module of another workflow
sys.path.insert(0, str(Path(str(workflow.current_basedir)) / "scripts"))
from morphvec.bundle import DEFAULT_CONFIG
from morphvec.layout import benchmark_file, log_file, run_file, run_files, shard_files, summary_file
from morphvec.workflow import REPORT_ENTRIES, workflow_for

min_version("9.0")


configfile: DEFAULT_CONFIG  # the bundled sample's runs; --configfile X runs X's instead


report: "resources/report/workflow.rst"


plan = workflow_for(config, workflow.overwrite_configfiles, workflow.modifier, workflow.current_basedir)


wildcard_constraints:
    **plan.wildcard_constraints(),


rule all:
    input:
        plan.final_outputs(),


rule count_documents:
    input:
        corpus=plan.setting("corpus", "path"),
    output:
        documents=run_file("documents"),
    log:
        log_file("count_documents"),
    localrule: True  # one streaming pass that counts lines: seconds
    conda:
        "envs/tokenize.yaml"
    params:
        config=plan.options("corpus", "tokenizer.invalid_utf8"),
    script:
        "scripts/count_documents.py"


rule tokenize_corpus:
    input:
        unpack(plan.tokenize_inputs),
    output:
        **shard_files(),
    log:
        log_file("tokenize_corpus.{shard}"),
    benchmark:
        benchmark_file("tokenize_corpus.{shard}")
    conda:
        "envs/tokenize.yaml"
    threads: plan.setting("tokenizer", "threads")
    resources:
        mem_mb=plan.grows(plan.tokenize_mem_mb),
        runtime=plan.grows(plan.tokenize_runtime),
    params:
        config=plan.options("corpus", "tokenizer"),
        shards=lambda wildcards: plan.shard_count(wildcards.run),
    script:
        "scripts/tokenize_corpus.py"


rule gather_tokens:
    input:
        unpack(plan.shard_inputs),
    output:
        **run_files("tokens", "token_stats", "token_counts", "labels", "eojeol_counts"),
    log:
        log_file("gather_tokens"),
    conda:
        "envs/tokenize.yaml"
    resources:
        mem_mb=plan.grows(1000),
        runtime=plan.grows(30),
    script:
        "scripts/gather_tokens.py"


rule train_fasttext:
    input:
        tokens=rules.gather_tokens.output.tokens,
    output:
        **run_files("model_bin", "model_vec", "train_stats"),
    log:
        log_file("train_fasttext"),
    benchmark:
        benchmark_file("train_fasttext")
    conda:
        "envs/fasttext.yaml"
    threads: plan.setting("fasttext", "thread")
    resources:
        mem_mb=plan.grows(plan.fasttext_mem_mb),
        runtime=plan.grows(plan.train_runtime),
    params:
        fasttext=plan.setting("fasttext"),
        config=plan.options("trainer", "subwords", "fill_untrained_ngrams"),
    script:
        "scripts/train_fasttext.py"


rule load_gensim:
    input:
        model_bin=rules.train_fasttext.output.model_bin,
    output:
        **run_files("gensim_model", "gensim_kv", "gensim_stats"),
    log:
        log_file("load_gensim"),
    benchmark:
        benchmark_file("load_gensim")
    conda:
        "envs/gensim.yaml"
    resources:
        mem_mb=plan.grows(plan.model_mem_mb),
        runtime=plan.grows(30),
    params:
        config=plan.options("subwords"),
    script:
        "scripts/load_gensim.py"


rule extract_vectors:
    input:
        gensim_model=rules.load_gensim.output.gensim_model,
    output:
        **run_files("vocab", "word_vectors", "ngram_vectors", "ngram_settings", "output_vectors", "w2v_txt", "w2v_bin"),
    log:
        log_file("extract_vectors"),
    benchmark:
        benchmark_file("extract_vectors")
    conda:
        "envs/gensim.yaml"
    resources:
        mem_mb=plan.grows(plan.model_mem_mb),
        runtime=plan.grows(30),
    script:
        "scripts/extract_vectors.py"


rule compress_vectors:
    input:
        **run_files("word_vectors", "ngram_vectors", "vocab", "ngram_settings"),
    output:
        **run_files("compact_weights", "compact_vocab", "compact_loader", "compress_stats"),
    log:
        log_file("compress_vectors.{variant}"),
    benchmark:
        benchmark_file("compress_vectors.{variant}")
    conda:
        "envs/report.yaml"
    threads: 2  # k-means (BENCHMARKS.md: 1.5x faster than on one)
    resources:
        mem_mb=plan.grows(plan.compress_mem_mb),
        runtime=plan.grows(60),
    params:
        config=plan.options("compress_vectors"),
    script:
        "scripts/compress_vectors.py"


rule finetune_word2vec:
    input:
        tokens=rules.gather_tokens.output.tokens,
        pretrained=plan.setting("finetune_word2vec", "pretrained"),
    output:
        **run_files("finetune_model", "finetune_stats"),
    log:
        log_file("finetune_word2vec"),
    benchmark:
        benchmark_file("finetune_word2vec")
    conda:
        "envs/gensim.yaml"
    threads: plan.setting("finetune_word2vec", "workers")
    resources:
        mem_mb=plan.grows(4000),
        runtime=plan.grows(120),
    params:
        config=plan.options("finetune_word2vec", "evaluation.probe_words"),
    script:
        "scripts/finetune_word2vec.py"


rule export_torch:
    input:
        **run_files("word_vectors", "ngram_vectors", "vocab", "ngram_settings", "output_vectors"),
    output:
        **run_files("torch_weights", "torch_vocab", "torch_loader"),
    log:
        log_file("export_torch"),
    benchmark:
        benchmark_file("export_torch")
    conda:
        "envs/torch.yaml"
    resources:
        mem_mb=plan.grows(plan.model_mem_mb),
        runtime=plan.grows(30),
    script:
        "scripts/export_torch.py"


rule export_static:
    input:
        **run_files("torch_weights", "torch_vocab", "token_counts", "tokens", "token_stats", "eojeol_counts"),
    output:
        **run_files("static_weights", "static_tokenizer", "static_config", "static_modules", "static_stats"),
        static_sif=directory(run_file("static_sif")),
    log:
        log_file("export_static"),
    benchmark:
        benchmark_file("export_static")
    conda:
        "envs/report.yaml"
    resources:
        mem_mb=plan.grows(plan.static_mem_mb),
        runtime=plan.grows(30),
    params:
        config=plan.options("export_static"),
    script:
        "scripts/export_static.py"


rule tune_static:
    input:
        unpack(plan.tune_inputs),
    output:
        static_tuned=directory(run_file("static_tuned")),
    log:
        log_file("tune_static"),
    benchmark:
        benchmark_file("tune_static")
    conda:
        "envs/report.yaml"
    threads: plan.setting("tune_static", "threads")
    resources:
        mem_mb=plan.grows(plan.tune_mem_mb),
        runtime=plan.grows(120),
    params:
        config=plan.options("tune_static"),
    script:
        "scripts/tune_static.py"


rule write_report:
    input:
        unpack(plan.report_inputs),
    output:
        metrics=run_file("metrics"),
        report_html=report(run_file("report_html"), **REPORT_ENTRIES["report_html"]),
        plots=report(directory(run_file("plots")), **REPORT_ENTRIES["plots"]),
    log:
        log_file("write_report"),
    benchmark:
        benchmark_file("write_report")
    conda:
        "envs/report.yaml"
    resources:
        mem_mb=plan.grows(plan.report_mem_mb),
        runtime=plan.grows(60),
    params:
        evaluation=plan.setting("evaluation"),
        settings=plan.setting(),
    script:
        "scripts/write_report.py"


rule write_manifest:
    input:
        unpack(plan.manifest_inputs),
    output:
        manifest=run_file("manifest"),
    log:
        log_file("write_manifest"),
    localrule: True  # hashes the run's files: seconds, no cluster job needed
    conda:
        "envs/report.yaml"
    params:
        settings=plan.setting(),
        command=lambda wildcards: plan.rerun_command(wildcards.run),
    script:
        "scripts/write_manifest.py"


rule package_model:
    input:
        unpack(plan.package_inputs),
    output:
        package=directory(run_file("package")),
    log:
        log_file("package_model"),
    localrule: True  # copies files and writes the card: no cluster job needed
    conda:
        "envs/report.yaml"
    params:
        config=plan.options("package"),
    script:
        "scripts/package_model.py"


rule summarize_runs:
    input:
        **plan.summary_inputs(),
    output:
        summary_tsv=summary_file("summary_tsv"),
        compact_tsv=summary_file("compact_tsv"),
        summary_html=report(summary_file("summary_html"), **REPORT_ENTRIES["summary_html"]),
    log:
        summary_file("summarize_log"),
    localrule: True  # reads the runs' metrics and times opening their exports
    conda:
        "envs/report.yaml"
    script:
        "scripts/summarize_runs.py"
