"""The workflow on each legal extreme of the schema: every step ends, and the report states what
does not apply instead of crashing on it (a model without subwords, one dimension, one
document); a setting that cannot train ends as one message naming it.  Kiwi + POS + jamo runs
in the shared tiny config (tests/conftest.py)."""

import json

import pytest
import yaml
from conftest import REPO, sample_rows, snakemake

pytestmark = pytest.mark.workflow

TINY = {"dim": 16, "bucket": 20000, "minCount": 2, "epoch": 3, "thread": 1}
EVALUATION = {
    "similarity": {"ws353_ko": str(REPO / "resources/eval/WS353_korean.csv")},
    "analogy": {"family_ko": str(REPO / "resources/eval/analogy_family_ko.txt")},
    "probe_words": ["영화", "배우"],
    "pca_words": ["영화", "배우", "감독", "처음보는말뭉치"],
    "samples": 200,
}


@pytest.fixture(scope="module")
def extremes(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("extremes")
    (workdir / "reviews.tsv").write_text("\n".join(sample_rows(800)) + "\n", encoding="utf-8")
    (workdir / "one.tsv").write_text("\n".join(sample_rows(1)) + "\n", encoding="utf-8")
    corpus = {"path": "reviews.tsv", "label_column": "rating"}
    small = {"words": 100, "buckets": 100, "subvectors": 4, "centroids": 16}
    runs = {
        "no_subwords": {
            "corpus": corpus,
            "fasttext": {**TINY, "maxn": 0},
            "compress_vectors": {"activate": True, "variants": {"small": small}},
        },
        "dim_1": {"corpus": corpus, "fasttext": {**TINY, "dim": 1}},
        "one_document": {"corpus": {**corpus, "path": "one.tsv"}, "fasttext": {**TINY, "minCount": 1}},
    }
    config = {"runs": {name: {**run, "evaluation": EVALUATION} for name, run in runs.items()}}
    (workdir / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    result = snakemake(workdir)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return workdir


def metrics(workdir, run):
    return json.loads((workdir / "results" / run / "report/metrics.json").read_text(encoding="utf-8"))


def test_a_model_without_subwords_is_reported_with_what_does_not_apply(extremes):
    m = metrics(extremes, "no_subwords")
    parity = m["parity"]
    assert parity["passed"] and parity["samples"]["oov"] == 0
    assert "oov_max_abs_diff" not in parity["fasttext_vs_torch"]  # shown as "–", not as a difference of 0
    assert any("no subwords" in note for note in parity["notes"])
    ws = m["quality"]["similarity"]["ws353_ko"]
    assert "spearman_all_pairs_subword" not in ws and ws["spearman_all_pairs_eojeol"] is None
    assert m["quality"]["analogy_subword"] == {}
    page = (extremes / "results/no_subwords/report/report.html").read_text(encoding="utf-8")
    assert "no subwords" in page
    compact = m["compression"]["variants"]["small"]
    assert compact["buckets_kept"] == 0 and compact["parity"]["passed"]
    static = json.loads((extremes / "results/no_subwords/export_static/stats.json").read_text(encoding="utf-8"))
    assert static["raw_text"] is None  # no pieces where fastText leaves unknown words out


def test_a_one_dimensional_model_skips_the_pca_and_says_why(extremes):
    m = metrics(extremes, "dim_1")
    assert m["parity"]["passed"] and "2-D PCA needs two" in m["pca"]["skipped"]
    assert not list((extremes / "results/dim_1/report/plots").glob("pca_*.png"))
    assert "PCA not drawn" in (extremes / "results/dim_1/report/report.html").read_text(encoding="utf-8")


def test_a_one_document_corpus_runs_to_the_package(extremes):
    m = metrics(extremes, "one_document")
    assert m["corpus"]["documents"] == 1 and m["parity"]["passed"] and m["parity"]["samples"]["sentence"] == 1
    assert "skipped" in m["sentiment_probe"]
    card = (extremes / "results/one_document/package/README.md").read_text(encoding="utf-8")
    assert "sentiment probe" not in card  # no accuracy to publish


def test_min_count_above_every_count_is_one_message(tmp_path):
    (tmp_path / "reviews.tsv").write_text("\n".join(sample_rows(50)) + "\n", encoding="utf-8")
    config = {"runs": {"r": {"corpus": {"path": "reviews.tsv"}, "fasttext": {**TINY, "minCount": 100000}}}}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    result = snakemake(tmp_path)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "no word occurs fasttext.minCount (100000) times or more" in output and "lower fasttext.minCount" in output
