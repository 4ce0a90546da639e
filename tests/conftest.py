"""Shared fixtures: a tiny Korean corpus from resources/ and a tiny model built through every step.

Nothing here reads ../shared: tests use only what the repository ships or what they make.
"""

import gzip
import itertools
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "resources" / "nsmc_sample.tsv.gz"
SEED_SENTENCE = "우리에게 굵직한 지혜들을 건네는 너무나 멋진 영화"
SEED_MORPHEMES = ["우리", "에게", "굵직", "한", "지혜", "들", "을", "건네", "는", "너무나", "멋진", "영화"]


def sample_rows(n: int) -> list[str]:
    """The header and the first ``n`` reviews of the bundled NSMC sample, as TSV lines."""
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as handle:
        return [line.rstrip("\n") for line in itertools.islice(handle, n + 1)]


def sample_texts(n: int) -> list[str]:
    return [row.split("\t")[4] for row in sample_rows(n)[1:]]


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory) -> Path:
    """3,000 real reviews as a TSV file."""
    path = tmp_path_factory.mktemp("corpus") / "reviews.tsv"
    path.write_text("\n".join(sample_rows(3000)) + "\n", encoding="utf-8")
    return path


TINY_FASTTEXT = {"dim": 16, "bucket": 20000, "minCount": 2, "epoch": 3, "thread": 1, "seed": 0}


@pytest.fixture(scope="session")
def tiny_pipeline(tmp_path_factory, tiny_corpus) -> dict:
    """Every step run once on the tiny corpus; returns the paths of what they wrote."""
    from export_torch import export_torch
    from extract_vectors import DEFAULT_FILES, extract_vectors
    from load_gensim import load_gensim
    from tokenize_corpus import tokenize_corpus
    from train_fasttext import train_fasttext

    root = tmp_path_factory.mktemp("pipeline")
    paths = {
        "tokens": root / "tokens.txt",
        "token_stats": root / "token_stats.json",
        "bin": root / "model.bin",
        "vec": root / "model.vec",
        "train_stats": root / "train_stats.json",
        "gensim_model": root / "gensim" / "fasttext.model",
        "gensim_kv": root / "gensim" / "fasttext.kv",
        "torch_dir": root / "torch",
    }
    tokenize_corpus(tiny_corpus, paths["tokens"], paths["token_stats"], text_column="text")
    train_fasttext(paths["tokens"], paths["bin"], paths["vec"], paths["train_stats"], params=TINY_FASTTEXT)
    load_gensim(paths["bin"], paths["gensim_model"], paths["gensim_kv"])
    extracted = {key: root / "extract" / name for key, name in DEFAULT_FILES.items()}
    extract_vectors(paths["gensim_model"], extracted)
    export_torch(
        extracted["word_vectors"],
        extracted["ngram_vectors"],
        extracted["vocab"],
        extracted["ngram_settings"],
        paths["torch_dir"] / "embeddings.safetensors",
        paths["torch_dir"] / "vocab.txt",
        paths["torch_dir"] / "fasttext_torch.py",
    )
    return {**paths, "extract": extracted}


@pytest.fixture(scope="session")
def fasttext_model(tiny_pipeline):
    import fasttext

    return fasttext.load_model(str(tiny_pipeline["bin"]))
