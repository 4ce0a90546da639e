"""The whole workflow through `snakemake` on a tiny config: a Korean run and an English run with
word2vec fine-tuning.  Checks the outputs, metrics.json (parity included), that a second
invocation does nothing, and that changing one fastText parameter reruns training and what
follows but not tokenization."""

import json
import re
from pathlib import Path

import pytest
import yaml
from conftest import snakemake

pytestmark = pytest.mark.workflow

REPO = Path(__file__).resolve().parents[1]
STEPS = [
    "count_documents",
    "gather_tokens",
    "train_fasttext",
    "load_gensim",
    "extract_vectors",
    "export_torch",
    "write_report",
]


def planned_jobs(output: str) -> dict[str, int]:
    """Rule names and job counts in the 'Job stats' table of a dry run."""
    table = output.split("Job stats:", 1)[1].split("total", 1)[0]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)\s*$", table, re.MULTILINE)}


@pytest.mark.parametrize("run", ["ko_tiny", "ko_kiwi_jamo", "en_tiny"])
def test_every_step_writes_its_outputs_and_logs(workflow_run, run):
    root = workflow_run / "results" / run
    for step in STEPS if run == "ko_tiny" else STEPS[1:]:  # only the sharded run counts documents
        assert (root / "logs" / f"{step}.log").is_file(), step
    for path in [
        "tokenize_corpus/tokens.txt",
        "train_fasttext/model.bin",
        "train_fasttext/model.vec",
        "load_gensim/fasttext.kv",
        "extract_vectors/output_vectors.npy",
        "extract_vectors/vectors.w2v.bin",
        "export_torch/embeddings.safetensors",
        "report/report.html",
        "report/plots/zipf.png",
        "report/plots/pca_top.png",
        "benchmarks/train_fasttext.tsv",
    ]:
        assert (root / path).stat().st_size > 0, path
    assert "Progress: 100.0%" in (root / "logs" / "train_fasttext.log").read_text()  # fastText's own output


@pytest.mark.parametrize("run", ["ko_tiny", "ko_kiwi_jamo", "en_tiny"])
def test_metrics_show_parity_and_quality(workflow_run, run):
    metrics = json.loads((workflow_run / "results" / run / "report" / "metrics.json").read_text())
    for pair in ("fasttext_vs_gensim", "fasttext_vs_torch", "gensim_vs_torch"):
        for kind in ("in_vocab", "oov", "sentence"):
            assert 0 <= metrics["parity"][pair][f"{kind}_max_abs_diff"] <= 1e-5, (pair, kind)
    assert metrics["parity"]["passed"] is True
    assert metrics["parity"]["samples"] == {"in_vocab": 200, "oov": 200, "sentence": 200}
    assert metrics["training"]["zero_ngram_rows"]["after_fix"] == 0
    for scores in metrics["quality"]["similarity"].values():
        assert -1 <= scores["spearman"] <= 1 and 0 < scores["coverage"] <= 1
    analogy = next(iter(metrics["quality"]["analogy"].values()))
    if run == "en_tiny":
        assert analogy["questions"] == 19544 and analogy["coverage"] > 0 and 0 <= analogy["accuracy"] <= 1
    elif run == "ko_tiny":  # 1,500 reviews rarely mention family words: nothing scored is reported as such
        analogy = metrics["quality"]["analogy"]["family_ko"]
        assert analogy["questions"] == 182 and analogy["scored"] == round(analogy["coverage"] * 182)
    else:  # the eojeol protocol scores eojeol sections too: their answers among the corpus' eojeol
        eojeol = metrics["quality"]["analogy_eojeol"]["extra_ko"]
        assert eojeol["questions"] == 750 and 0 < eojeol["scored"] < 750 and 0 <= eojeol["accuracy"] <= 1
        assert set(eojeol["sections"]) >= {"verb-past-eojeol", "noun-object-eojeol", "gender"}
    corpus = metrics["corpus"]
    assert corpus["documents"] == (300 if run == "en_tiny" else 1500)
    assert corpus["tokens"] > corpus["types"] > 0


def test_korean_run_is_tokenized_into_morphemes_in_two_identical_shards(workflow_run, tmp_path):
    from morphvec.tokenize import tokenize_corpus

    root = workflow_run / "results/ko_tiny/tokenize_corpus"
    first = (root / "tokens.txt").read_text(encoding="utf-8").split("\n")[0]
    assert first == "뻔한 스토리 지만 , 택시 시리즈 는 괜찮 음 . . 6 점"
    assert sorted(p.name for p in (root / "shards").glob("?.txt")) == ["0.txt", "1.txt"]
    assert (workflow_run / "results/ko_tiny/logs/tokenize_corpus.1.log").is_file()
    tokenize_corpus(workflow_run / "reviews.tsv.gz", tmp_path / "whole.txt")
    assert (root / "tokens.txt").read_bytes() == (tmp_path / "whole.txt").read_bytes()


def test_finetuned_word2vec_starts_from_pretrained_vectors(workflow_run):
    metrics = json.loads((workflow_run / "results/en_tiny/report/metrics.json").read_text())
    finetune = metrics["finetune_word2vec"]
    assert finetune["initialised_from_pretrained"] > 1000
    assert finetune["movement"]["l2_mean"] > 0
    assert finetune["quality"]["similarity"]["wordsim353"]["coverage"] > 0


def test_second_invocation_does_nothing(workflow_run):
    result = snakemake(workflow_run)
    assert result.returncode == 0
    assert "Nothing to be done" in result.stdout + result.stderr


def test_changing_a_fasttext_parameter_reruns_training_and_later_steps_only(workflow_run):
    config = yaml.safe_load((workflow_run / "config.yaml").read_text(encoding="utf-8"))
    config["runs"]["ko_tiny"]["fasttext"]["epoch"] = 4
    changed = workflow_run / "changed.yaml"
    changed.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    result = snakemake(workflow_run, "-n", config=changed)
    assert result.returncode == 0, result.stderr[-2000:]
    jobs = planned_jobs(result.stdout + result.stderr)
    # one job per step from training on, for the changed run only (and the summary of all runs);
    # every run's manifest, which records the config file of the command that reruns them, and so
    # every run's published folder, whose card cites the manifest
    steps = ["train_fasttext", "load_gensim", "extract_vectors", "compress_vectors", "export_torch", "export_static"]
    steps += ["tune_static", "write_report"]  # ko_tiny trains the tuned flavour
    runs = len(config["runs"])
    assert jobs == {
        **dict.fromkeys([*steps, "summarize_runs", "all"], 1),
        "write_manifest": runs,
        "package_model": runs,
    }


def test_summary_compares_the_runs(workflow_run):
    lines = (workflow_run / "results" / "summary.tsv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    rows = {line.split("\t")[0]: dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]}
    assert set(rows) == {"ko_tiny", "ko_kiwi_jamo", "ko_park", "en_tiny"}
    assert "tokenizer.name" in header and "corpus.path" in header  # settings that differ
    assert "fasttext.dim" not in header  # the same in both runs
    assert rows["ko_tiny"]["tokenizer.name"] == "mecab" and rows["en_tiny"]["tokenizer.name"] == "whitespace"
    assert rows["en_tiny"]["parity_passed"] == "True"
    assert rows["ko_park"]["subwords"] == "syllable_jamo" and rows["ko_tiny"]["subwords"] == "fasttext"
    export = workflow_run / "results/en_tiny/export_torch/embeddings.safetensors"
    assert int(rows["en_tiny"]["export_bytes"]) == export.stat().st_size
    assert float(rows["en_tiny"]["wordsim353_spearman"]) == pytest.approx(
        json.loads((workflow_run / "results/en_tiny/report/metrics.json").read_text())["quality"]["similarity"][
            "wordsim353"
        ]["spearman"],
        abs=1e-3,
    )
    assert "ko_tiny/report/report.html" in (workflow_run / "results" / "summary.html").read_text(encoding="utf-8")


def _small_run(workdir: Path, corpus: str) -> Path:
    """A one-run English config (a few seconds) whose corpus path is ``corpus``."""
    from conftest import GENSIM_DATA

    config = {
        "runs": {
            "en": {
                "corpus": {"path": corpus, "format": "txt"},
                "tokenizer": {"name": "whitespace", "lowercase": True},
                "fasttext": {"dim": 8, "bucket": 2000, "minCount": 2, "epoch": 1, "thread": 1},
                "evaluation": {
                    "similarity": {"ws": str(GENSIM_DATA / "wordsim353.tsv")},
                    "analogy": {},
                    "probe_words": ["government"],
                    "samples": 50,
                },
            }
        }
    }
    path = workdir / "config.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def test_a_changed_input_path_never_leaves_a_report_of_the_old_data(tmp_path):
    from conftest import GENSIM_DATA

    text = (GENSIM_DATA / "lee_background.cor").read_text(encoding="utf-8")
    (tmp_path / "corpus.txt").write_text(text, encoding="utf-8")
    (tmp_path / "other.txt").write_text(text[: len(text) // 2], encoding="utf-8")
    assert snakemake(tmp_path, config=_small_run(tmp_path, "corpus.txt")).returncode == 0
    # pointed at a file that does not exist: a message, not a report of the old corpus (exit 0
    # with only the report rerun, before)
    result = snakemake(tmp_path, config=_small_run(tmp_path, "missing.txt"))
    assert result.returncode != 0
    assert "runs.en.corpus.path: missing.txt does not exist" in result.stderr
    # pointed at another file: tokenization reruns, and the report names what it read
    result = snakemake(tmp_path, config=_small_run(tmp_path, "other.txt"))
    assert result.returncode == 0, result.stderr[-2000:]
    metrics = json.loads((tmp_path / "results/en/report/metrics.json").read_text(encoding="utf-8"))
    assert metrics["corpus"]["corpus"] == "other.txt"
    assert metrics["inputs"]["corpus"]["bytes"] == (tmp_path / "other.txt").stat().st_size
    assert metrics["corpus"]["documents"] < 300
