"""The tuned flavour (morphvec.tune): a static flavour trained on sentence pairs with CoSENT, in
the layout both libraries open, never on the pairs the run scores, the same on every rerun."""

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import KORSTS_HEAD_PAIRS, one_message

from morphvec.evaluation import read_sentence_pairs
from morphvec.evaluation.sentences import row_cosines
from morphvec.runtime import run_cli
from morphvec.tune import shared_pairs, tune_static


@pytest.fixture(scope="module")
def korsts(workflow_run):
    """The tiny config's pair files: KorSTS train's head (trained on) and test's head (scored)."""
    return workflow_run / "korsts" / "sts-train.tsv", workflow_run / "korsts" / "sts-test.tsv"


def spearman_on(folder, pairs) -> float:
    from model2vec import StaticModel
    from scipy.stats import spearmanr

    model = StaticModel.from_pretrained(str(folder))
    return spearmanr(pairs.gold, row_cosines(model.encode(pairs.first), model.encode(pairs.second))).statistic


def test_the_run_has_a_tuned_flavour_both_libraries_open(tiny_pipeline, korsts):
    from sentence_transformers import SentenceTransformer

    folder = tiny_pipeline["static_tuned"]
    stats = json.loads((folder / "stats.json").read_text(encoding="utf-8"))["tuned"]
    assert stats["pairs"] == KORSTS_HEAD_PAIRS and stats["training_pairs"] == 2 * KORSTS_HEAD_PAIRS  # raw and cut
    assert stats["start_flavour"] == "sif" and len(stats["epoch_losses"]) == 2
    shared = stats["shared_with_evaluation"]  # KorSTS repeats a few pairs across its splits: counted
    assert list(shared) == [str(korsts[1])] and shared[str(korsts[1])] < 0.1 * KORSTS_HEAD_PAIRS
    train = read_sentence_pairs(korsts[0])
    # it learnt what it was trained on: the training pairs rank better than in the flavour it started from
    assert spearman_on(folder, train) > spearman_on(tiny_pipeline["static_sif"], train) + 0.05
    st = SentenceTransformer(str(folder), device="cpu").encode(train.first[:20], convert_to_numpy=True)
    assert st.shape == (20, 16) and np.isfinite(st).all()
    metrics = json.loads(tiny_pipeline["metrics"].read_text(encoding="utf-8"))
    methods = metrics["sentence_similarity"]["korsts_test"]["methods"]
    assert {"static_tuned_raw", "static_tuned_analysed"} <= set(methods)
    assert 0.5 < metrics["sentiment_probe_tuned"]["accuracy"] <= 1
    assert (tiny_pipeline["package"] / "tuned" / "model.safetensors").is_file()
    # the marker Snakemake puts in a folder output is not copied into the package's flavours
    assert not list(tiny_pipeline["package"].glob("*/.snakemake_timestamp"))
    assert "tune_static.pairs" in json.dumps(json.loads(tiny_pipeline["manifest"].read_text(encoding="utf-8")))


def tune_argv(tiny_pipeline, pairs, into, *extra):
    argv = ["--static-start", str(tiny_pipeline["static_sif"]), "--pairs", str(pairs)]
    argv += ["--static-tuned", str(into), "--token-stats", str(tiny_pipeline["token_stats"])]
    return [*argv, "--epochs", "1", "--learning-rate", "0.002", *extra]


def test_tuning_on_a_file_the_run_scores_is_one_message(capsys, tiny_pipeline, korsts, tmp_path):
    _, test = korsts
    copy = tmp_path / "my_pairs.tsv"  # the test set under another name
    copy.write_bytes(test.read_bytes())
    code = run_cli(tune_static, tune_argv(tiny_pipeline, copy, tmp_path / "tuned", "--exclude", str(test)))
    err = one_message(capsys, code)
    assert f"{copy}: holds {KORSTS_HEAD_PAIRS:,} of the {KORSTS_HEAD_PAIRS:,} sentence pairs of {test}" in err
    assert "never the pairs you score" in err and not (tmp_path / "tuned").exists()


def test_a_rerun_with_one_thread_is_byte_identical(tiny_pipeline, korsts, tmp_path):
    train, _ = korsts
    for name in ("a", "b"):
        assert run_cli(tune_static, tune_argv(tiny_pipeline, train, tmp_path / name, "--threads", "1")) == 0
    assert (tmp_path / "a" / "model.safetensors").read_bytes() == (tmp_path / "b" / "model.safetensors").read_bytes()
    table = Path(tmp_path / "a" / "model.safetensors")
    from safetensors.numpy import load_file

    assert not load_file(str(table))["embeddings"][-1].any()  # the unknown row stays zero


def test_shared_pairs_count_either_order():
    class Pairs:
        def __init__(self, pairs):
            self.first, self.second = [a for a, _ in pairs], [b for _, b in pairs]

    training = Pairs([("a", "b"), ("c", "d")])
    assert shared_pairs(training, Pairs([("b", "a"), ("c", "d"), ("e", "f")])) == 2


def test_the_command_line_replaces_a_folder_snakemake_marked(tiny_pipeline, korsts, tmp_path):
    """Snakemake adds a marker file to a folder output after its job (the workflow's tuned folder
    has one); the folder is still morphvec's to replace."""
    train, _ = korsts
    assert (tiny_pipeline["static_tuned"] / ".snakemake_timestamp").is_file()
    folder = tmp_path / "tuned"
    assert run_cli(tune_static, tune_argv(tiny_pipeline, train, folder)) == 0
    (folder / ".snakemake_timestamp").touch()
    assert run_cli(tune_static, tune_argv(tiny_pipeline, train, folder, "--epochs", "2")) == 0
    assert json.loads((folder / "stats.json").read_text(encoding="utf-8"))["tuned"]["settings"]["epochs"] == 2
