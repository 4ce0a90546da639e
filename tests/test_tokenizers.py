"""The tokenizer registry: a new tokenizer is one module and one entry, and every part of
morphvec that needs to know a tokenizer reads the entry."""

import json

import pytest
from conftest import TINY_FASTTEXT, sample_rows

from morphvec import tokenizers
from morphvec.query import open_space, query_vectors
from morphvec.schema import run_problems
from morphvec.tokenize import Tokenizer, tokenize_corpus
from morphvec.training import train_fasttext

TOY = tokenizers.TokenizerEntry(
    "toy", "toy_tokenizer", "SyllableTokenizer", content_tags=("NNG",), mb_per_second=9.0, worker_mb=7
)


@pytest.fixture
def toy_registered(monkeypatch):
    """The toy tokenizer in the registry (the schema's enum would list it too in a real addition)."""
    monkeypatch.setitem(tokenizers.TOKENIZERS, "toy", TOY)
    return TOY


def test_a_registered_tokenizer_tokenizes_and_answers_queries(toy_registered, tmp_path):
    corpus = tmp_path / "reviews.tsv"
    corpus.write_text("\n".join(sample_rows(600)) + "\n", encoding="utf-8")
    tokens, counts, model = tmp_path / "tokens.txt", tmp_path / "counts.tsv", tmp_path / "model.bin"
    stats = tokenize_corpus(corpus, tokens, token_counts=counts, name="toy", pos=True, threads=2)
    assert stats["tokenizer"] == "toy" and stats["documents"] == 600
    first = tokens.read_text(encoding="utf-8").split("\n", 1)[0].split()
    assert first and all(token.endswith(("/NNG", "/SF")) for token in first)  # pos: the registry says it tags
    assert all(len(token.split("/")[0]) == 1 for token in first if token.endswith("/NNG"))
    train_fasttext(tokens, model, fasttext={**TINY_FASTTEXT, "minCount": 1})

    space = open_space(model, tokenizer="toy", token_counts=counts)
    assert space.tokenizer.content_tags == ("NNG",)
    assert space.morphemes("영화") == ["영/NNG", "화/NNG"]  # an eojeol is cut by the toy tokenizer
    result = query_vectors(model, neighbours=["영화"], tokenizer="toy", token_counts=counts, content_only=True)
    found = result["neighbours"]["영화"]
    assert len(found) == 10 and all(word.endswith("/NNG") for word, _ in found)
    assert result["morphemes"] == {"영화": ["영/NNG", "화/NNG"]}
    json.dumps(result)  # what the CLI prints


def test_resources_and_checks_read_the_registry(toy_registered):
    from morphvec.workflow import Workflow

    plan = Workflow({"r": {"tokenizer": {"name": "toy", "shards": 1}}}, ["c.yaml"])
    wildcards = type("W", (), {"run": "r"})()
    empty = type("Input", (), {"size_mb": 0.0, "corpus": "c.txt"})()
    assert plan.tokenize_mem_mb(wildcards, empty, threads=3) == int(1.5 * (150 + 3 * 7)) + 200  # a worker process each
    assert run_problems({"tokenizer": {"name": "toy", "pos": True}}) == []
    assert run_problems({"tokenizer": {"name": "whitespace", "pos": True}})[0].key == "tokenizer.pos"
    assert Tokenizer("toy")("가나 !") == [("가", "NNG"), ("나", "NNG"), ("!", "SF")]


def test_an_unknown_tokenizer_is_named_with_the_known_ones():
    from morphvec.errors import UserInputError
    from morphvec.tokenize import make_tokenizer

    with pytest.raises(UserInputError, match=r"(?s)unknown tokenizer .nope.*mecab, kiwi, whitespace"):
        make_tokenizer("nope")
