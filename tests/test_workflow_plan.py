"""morphvec.workflow: what the Snakefile's rules compute from a config, tested without Snakemake."""

import copy
from types import SimpleNamespace

import pytest
from snakemake.utils import validate

from morphvec.layout import run_file
from morphvec.schema import SCHEMA_PATH
from morphvec.workflow import Workflow, validate_config, workflow_for

W = SimpleNamespace(run="r")


def plan_of(run: dict, tmp_path) -> Workflow:
    corpus = tmp_path / "c.txt"
    corpus.write_text("a b\n")
    config = {"runs": {"r": {"corpus": {"path": str(corpus)}, **copy.deepcopy(run)}}}
    validate(config, str(SCHEMA_PATH))
    return Workflow(config["runs"], ["my.yaml"])


def test_options_are_the_functions_keywords_without_files_and_switches(tmp_path):
    plan = plan_of({"tokenizer": {"name": "kiwi", "shards": 3}}, tmp_path)
    picked = plan.options("corpus", "tokenizer.invalid_utf8")(W)
    assert "path" not in picked and picked["text_column"] == "text" and picked["invalid_utf8"] == "error"
    assert "shards" not in plan.options("tokenizer")(W) and plan.options("tokenizer")(W)["name"] == "kiwi"
    assert plan.setting("tokenizer", "threads")(W) == 2 and plan.setting()(W) is plan.runs["r"]


def test_shards_split_the_corpus_and_gather_in_order(tmp_path):
    plan = plan_of({"tokenizer": {"shards": 3}}, tmp_path)
    assert plan.shard_count("r") == 3
    assert plan.shard_inputs(W)["shard_tokens"] == [run_file("shard_tokens").format(run="r", shard=i) for i in range(3)]
    assert set(plan.tokenize_inputs(W)) == {"corpus", "documents"}
    auto = plan_of({}, tmp_path)
    assert auto.shard_count("r") == 1 and set(auto.tokenize_inputs(W)) == {"corpus"}


def test_resources_follow_the_settings(tmp_path):
    small = plan_of({"fasttext": {"bucket": 100_000, "dim": 100}}, tmp_path)
    gensim = plan_of({"fasttext": {"bucket": 100_000, "dim": 100}, "trainer": "gensim"}, tmp_path)
    assert small.fasttext_mem_mb(W) == 1120 and gensim.fasttext_mem_mb(W) == 1240  # matrix once / twice
    assert small.model_mem_mb(W) == 1180 and small.report_mem_mb(W) == 1180 + 300 + 200  # + the job process
    kiwi = plan_of({"tokenizer": {"name": "kiwi"}}, tmp_path)
    # Kiwi on its own threads holds one model (557 MiB) whatever the threads; MeCab one per worker (154);
    # beside them the eojeol counts, 1.1 MiB per MB of text (a .gz holds 4x its size)
    none = SimpleNamespace(size_mb=0.0, corpus="c.txt")
    # and the job's own Snakemake process (JOB_PROCESS_MB), which a cluster counts with the step
    assert kiwi.tokenize_mem_mb(W, none, 2) == int(1.5 * (150 + 557)) + 200 and small.tokenize_mem_mb(W, none, 2) == 887
    nsmc = SimpleNamespace(size_mb=31.8, corpus="nsmc.tsv.gz")
    assert small.tokenize_mem_mb(W, nsmc, 2) == int(1.5 * (150 + 1.1 * 4 * 31.8 + 2 * 154)) + 200
    size = SimpleNamespace(size_mb=600.0, corpus="c.txt")
    assert kiwi.tokenize_runtime(W, size) == 59 and small.tokenize_runtime(W, size) == 10  # Kiwi 6x slower
    compact = plan_of({"compress_vectors": {"activate": True}}, tmp_path)
    variant = SimpleNamespace(run="r", variant="w30k_b400k_pq50")  # 430,000 rows of 100 floats: 172 MB
    assert compact.compress_mem_mb(variant) == int(1.5 * (350 + 2 * 172)) + 200


def test_resources_double_with_each_retry(tmp_path):
    plan = plan_of({"fasttext": {"bucket": 100_000, "dim": 100}}, tmp_path)
    memory, fixed = plan.grows(plan.fasttext_mem_mb), plan.grows(30)
    none = SimpleNamespace(size_mb=0.0, corpus="c.txt")
    assert [memory(W, none, 2, attempt) for attempt in (1, 2, 3)] == [1120, 2240, 4480]
    assert [fixed(W, none, 2, attempt) for attempt in (1, 2)] == [30, 60]
    tokenize = plan.grows(plan.tokenize_mem_mb)  # the estimate gets only the arguments it takes
    assert tokenize(W, none, 2, 2) == 2 * plan.tokenize_mem_mb(W, none, 2)


def test_the_report_reads_what_the_run_makes(tmp_path):
    plan = plan_of({"compress_vectors": {"activate": True}}, tmp_path)
    inputs = plan.report_inputs(W)
    assert "finetune_model" not in inputs and len(inputs["compact_weights"]) == 3
    assert inputs["input_files"] == [str(tmp_path / "c.txt")]
    files = plan.manifest_inputs(W)["run_files"]
    assert run_file("torch_weights").format(run="r") in files and len(files) == len(set(files))
    assert "--configfile=my.yaml" in plan.rerun_command("r")


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        ({"tokenizer": {"name": "whitespace", "pos": True}}, "runs.r.tokenizer.pos: needs a tagging tokenizer"),
        ({"fasttext": {"minn": 5, "maxn": 4}}, "runs.r.fasttext.minn: 5 is above maxn: 4"),
        (
            {"fasttext": {"dim": 10}, "compress_vectors": {"activate": True}},
            "runs.r.compress_vectors.variants.w30k_b400k_pq50.subvectors: 50 does not divide fasttext.dim 10",
        ),
        ({"fasttext": {"dimm": 10}}, "runs.r.fasttext: Additional properties are not allowed ('dimm'"),
    ],
)
def test_a_contradiction_stops_at_parse_time_naming_file_and_key(run, expected, capsys, tmp_path):
    config = {"runs": {"r": {"corpus": {"path": "c.txt"}, **run}}}
    path = tmp_path / "my.yaml"
    path.write_text("runs: {r: {corpus: {path: c.txt}}}\n")
    with pytest.raises(SystemExit):
        validate_config(config, [str(path)])
    message = capsys.readouterr().err
    assert message.startswith(f"error: {path}: {expected}") and "\n  fix: " in message


def test_a_missing_input_stops_before_anything_runs(capsys, tmp_path):
    with pytest.raises(SystemExit):
        workflow_for({"runs": {"r": {"corpus": {"path": str(tmp_path / "gone.tsv")}}}}, [])
    assert "runs.r.corpus.path: " in capsys.readouterr().err
