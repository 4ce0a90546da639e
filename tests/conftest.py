"""Shared fixtures: one tiny config, run once through the real workflow, and its outputs.

Nothing here reads ../shared: tests use only what the repository ships or what they make.
Paths of outputs come from ``morphvec.layout``, the one place that knows the results layout.
"""

import gzip
import itertools
import subprocess
import sys
from pathlib import Path

import gensim
import pytest
import yaml

from morphvec import layout

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "resources" / "nsmc_sample.tsv.gz"
KORSTS_TEST = REPO / "resources" / "eval" / "korsts" / "sts-test.tsv.gz"
KORSTS_HEAD_PAIRS = 300  # the tiny runs' sentence pairs: KorSTS test's first
GENSIM_DATA = Path(gensim.__file__).parent / "test" / "test_data"
SEED_SENTENCE = "우리에게 굵직한 지혜들을 건네는 너무나 멋진 영화"
SEED_MORPHEMES = ["우리", "에게", "굵직", "한", "지혜", "들", "을", "건네", "는", "너무나", "멋진", "영화"]
TINY_FASTTEXT = {"dim": 16, "bucket": 20000, "minCount": 2, "epoch": 3, "thread": 1, "seed": 0}
TINY_COMPACT = {"words": 500, "buckets": 4000, "subvectors": 4, "centroids": 64}


def one_message(capsys, code: int) -> str:
    """The terminal's stderr after a failed step: exactly one ``error:`` line, no traceback."""
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    assert sum(line.startswith("error:") for line in err.splitlines()) == 1, err
    return err


def sample_rows(n: int) -> list[str]:
    """The header and the first ``n`` reviews of the bundled NSMC sample, as TSV lines."""
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as handle:
        return [line.rstrip("\n") for line in itertools.islice(handle, n + 1)]


def sample_texts(n: int) -> list[str]:
    return [row.split("\t")[4] for row in sample_rows(n)[1:]]


def tiny_config(workdir: Path) -> dict:
    """A Korean run (1,500 reviews in two shards), the same reviews cut by Kiwi into POS-tagged
    jamo tokens, the same with Park et al.'s syllable + jamo subwords, and an English run with
    word2vec fine-tuning."""
    corpus = workdir / "reviews.tsv.gz"
    corpus.write_bytes(gzip.compress(("\n".join(sample_rows(1500)) + "\n").encode("utf-8")))
    evaluation = {"samples": 200, "tolerance": 1e-5}
    sts = workdir / "korsts" / "sts-test.tsv"  # KorSTS test's head: every tiny run scores it quickly
    sts.parent.mkdir(exist_ok=True)
    with gzip.open(KORSTS_TEST, "rt", encoding="utf-8") as handle:
        sts.write_text("".join(itertools.islice(handle, KORSTS_HEAD_PAIRS + 1)), encoding="utf-8")
    train = workdir / "korsts" / "sts-train.tsv"  # KorSTS train's head: the tuned flavour's pairs
    with gzip.open(KORSTS_TEST.with_name("sts-train.tsv.gz"), "rt", encoding="utf-8") as handle:
        train.write_text("".join(itertools.islice(handle, KORSTS_HEAD_PAIRS + 1)), encoding="utf-8")
    return {
        "runs": {
            "ko_tiny": {
                "corpus": {"path": str(corpus), "text_column": "text", "label_column": "rating"},
                "tokenizer": {"shards": 2},
                "fasttext": dict(TINY_FASTTEXT),
                "compress_vectors": {"activate": True, "variants": {"small": TINY_COMPACT}},
                "export_static": {"sif_components": 1},  # the SIF flavour's common direction, tested
                "tune_static": {"activate": True, "pairs": str(train), "epochs": 2, "learning_rate": 0.002},
                "evaluation": {
                    **evaluation,
                    "similarity": {"ws353_ko": str(REPO / "resources/eval/WS353_korean.csv")},
                    "analogy": {
                        "family_ko": str(REPO / "resources/eval/analogy_family_ko.txt"),
                        "extra_ko": str(REPO / "resources/eval/analogy_extra_ko.txt"),
                    },
                    "sts": {"korsts_test": str(sts)},
                    "probe_words": ["영화", "배우"],
                    "pca_words": ["영화", "배우", "감독", "최고"],
                },
            },
            "ko_kiwi_jamo": {
                "corpus": {"path": str(corpus), "text_column": "text", "label_column": "rating"},
                "tokenizer": {"name": "kiwi", "pos": True, "unit": "jamo"},
                "fasttext": dict(TINY_FASTTEXT),
                "evaluation": {
                    **evaluation,
                    "similarity": {"ws353_ko": str(REPO / "resources/eval/WS353_korean.csv")},
                    "analogy": {"extra_ko": str(REPO / "resources/eval/analogy_extra_ko.txt")},
                    "sts": {"korsts_test": str(sts)},
                    "probe_words": ["영화", "배우"],
                    "pca_words": ["영화", "배우", "감독", "최고"],
                },
            },
            "ko_park": {  # Park et al.'s syllable + jamo subwords: gensim's trainer, fastText's parity n/a
                "corpus": {"path": str(corpus), "text_column": "text", "label_column": "rating"},
                "trainer": "gensim",
                "subwords": "syllable_jamo",
                "fasttext": {**TINY_FASTTEXT, "minn": 1, "maxn": 4},
                "evaluation": {
                    **evaluation,
                    "similarity": {"ws353_ko": str(REPO / "resources/eval/WS353_korean.csv")},
                    "analogy": {"extra_ko": str(REPO / "resources/eval/analogy_extra_ko.txt")},
                    "probe_words": ["영화"],
                },
            },
            "en_tiny": {
                "corpus": {"path": str(GENSIM_DATA / "lee_background.cor"), "format": "txt"},
                "tokenizer": {"name": "whitespace", "lowercase": True},
                "fasttext": dict(TINY_FASTTEXT),
                "package": {"language": ["en"]},
                "finetune_word2vec": {
                    "activate": True,
                    "pretrained": str(REPO / "resources/pretrained/glove.6B.50d.5k.w2v.bin.gz"),
                    "min_count": 2,
                    "epochs": 2,
                },
                "evaluation": {
                    **evaluation,
                    "similarity": {"wordsim353": str(GENSIM_DATA / "wordsim353.tsv")},
                    "analogy": {"questions_words": str(GENSIM_DATA / "questions-words.txt")},
                    "probe_words": ["government", "australia"],
                },
            },
        }
    }


def snakemake(workdir: Path, *args: str, config: Path | None = None) -> subprocess.CompletedProcess:
    """The workflow in ``workdir`` with its config.yaml (or ``config``), as a user runs it."""
    command = [
        sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
        "--configfile", str(config or workdir / "config.yaml"), "--cores", "2", *args,
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, check=False)


@pytest.fixture(scope="session")
def workflow_run(tmp_path_factory) -> Path:
    """The tiny config run once through ``snakemake``; the working directory."""
    workdir = tmp_path_factory.mktemp("workflow")
    (workdir / "config.yaml").write_text(yaml.safe_dump(tiny_config(workdir), allow_unicode=True), encoding="utf-8")
    result = snakemake(workdir)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return workdir


@pytest.fixture(scope="session")
def tiny_pipeline(workflow_run) -> dict[str, Path]:
    """Every file of the Korean tiny run by its layout name, plus ``torch_dir``."""
    run_dir = workflow_run / layout.RESULTS / "ko_tiny"
    paths = {name: Path(layout.run_file(name, run_dir)) for name in layout.FILES}
    paths["torch_dir"] = paths["torch_weights"].parent
    return paths


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory) -> Path:
    """3,000 real reviews as a TSV file."""
    path = tmp_path_factory.mktemp("corpus") / "reviews.tsv"
    path.write_text("\n".join(sample_rows(3000)) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def fasttext_model(tiny_pipeline):
    import fasttext

    return fasttext.load_model(str(tiny_pipeline["model_bin"]))
