"""The static export opens in sentence-transformers and model2vec, and their sentence vectors are
fastText's on text split the way the corpus was."""

import json

import numpy as np
import pytest

from morphvec import layout
from morphvec.formats import StaticVectors


@pytest.fixture(scope="module")
def static_dir(tiny_pipeline):
    return tiny_pipeline["static_weights"].parent


@pytest.fixture(scope="module")
def documents(tiny_pipeline):
    """Documents of the corpus as the tokenize step wrote them: tokens joined by spaces."""
    return tiny_pipeline["tokens"].read_text(encoding="utf-8").splitlines()[:300]


def in_vocabulary(documents, fasttext_model):
    words = set(fasttext_model.words)
    return [d for d in documents if all(token in words for token in d.split())]


def fasttext_sentences(model, texts):
    return np.stack([model.get_sentence_vector(text) for text in texts])


def test_the_folder_has_the_layout_both_libraries_read(static_dir):
    config = json.loads((static_dir / "config.json").read_text())
    assert config["model_type"] == "model2vec" and config["normalize"] is False and config["hidden_dim"] == 16
    modules = json.loads((static_dir / "modules.json").read_text())
    assert modules == [{"idx": 0, "name": "0", "path": ".", "type": "sentence_transformers.models.StaticEmbedding"}]


def test_sentence_transformers_gives_fasttexts_sentence_vectors(static_dir, documents, fasttext_model):
    from sentence_transformers import SentenceTransformer

    texts = in_vocabulary(documents, fasttext_model)
    assert len(texts) > 50
    model = SentenceTransformer(str(static_dir), device="cpu")
    ours = model.encode(texts, convert_to_numpy=True)
    assert np.abs(ours - fasttext_sentences(fasttext_model, texts)).max() <= 1e-5


def test_model2vec_gives_fasttexts_sentence_vectors_and_drops_unknown_tokens(static_dir, documents, fasttext_model):
    from model2vec import StaticModel

    model = StaticModel.from_pretrained(str(static_dir))
    texts = in_vocabulary(documents, fasttext_model)
    assert np.abs(model.encode(texts) - fasttext_sentences(fasttext_model, texts)).max() <= 1e-5
    # Every corpus type has a row (the extension), so whole documents match too, rare words included.
    assert np.abs(model.encode(documents) - fasttext_sentences(fasttext_model, documents)).max() <= 1e-5
    # A word with a character the corpus never had (and not Hangul) is unknown: model2vec leaves
    # it out of the mean.  An unseen Korean word is cut into word pieces instead (test_raw_text.py).
    known = texts[0]
    assert np.allclose(model.encode([known + " 鬱陶"]), model.encode([known]), atol=1e-6)
    assert not np.allclose(model.encode([known + " 처음보는말뭉치"]), model.encode([known]), atol=1e-6)


def test_the_extension_adds_the_corpus_types_below_min_count(static_dir, tiny_pipeline, fasttext_model):
    stats = json.loads((static_dir / "stats.json").read_text())
    counts = [line.split("\t") for line in tiny_pipeline["token_counts"].read_text(encoding="utf-8").splitlines()]
    below = {token for token, count, *_ in counts if int(count) < 2}  # TINY_FASTTEXT minCount: 2
    assert stats["vocabulary_rows"] == len(fasttext_model.words)
    assert 0 < stats["extension_rows"] <= len(below)
    static = StaticVectors(static_dir)
    rare = sorted(below)[:20]
    ids = static.ids([" ".join(rare)])[0]
    assert all(i >= stats["vocabulary_rows"] and i != static.unknown_id for i in ids)
    expected = np.stack([fasttext_model.get_word_vector(word) for word in rare])
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    assert np.abs(static.embeddings[ids] - expected).max() <= 1e-5  # the subword vectors, unit length


def test_the_report_has_the_fourth_parity_column_and_the_unknown_shares(tiny_pipeline):
    metrics = json.loads(tiny_pipeline["metrics"].read_text(encoding="utf-8"))
    assert metrics["parity"]["fasttext_vs_static"]["sentence_max_abs_diff"] <= 1e-5
    static = metrics["parity"]["static_export"]
    assert static["with_extension"]["unknown_token_share"] == 0.0  # every sampled token is a corpus type
    without = static["without_extension"]
    assert 0 < without["unknown_token_share"] < 1 and without["documents_with_unknown"] > 0
    assert 0 < without["mean_cosine_on_those"] < 1
    page = tiny_pipeline["report_html"].read_text(encoding="utf-8")
    assert "fastText vs static export" in page and "cannot see" in page


def test_a_jamo_model_is_exported_in_hangul(workflow_run):
    from model2vec import StaticModel

    directory = workflow_run / layout.RESULTS / "ko_kiwi_jamo" / "export_static"
    model = StaticModel.from_pretrained(str(directory))
    assert "영화/NNG" in model.tokens  # jamo spelled as syllables, the way every query path shows them
