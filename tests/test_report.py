import random

import numpy as np

from morphvec import render
from morphvec.corpus import sample_documents
from morphvec.parity import make_oov_words, parity_table, sample_in_vocab

VOCAB = ["</s>", "영화", "재밌", "다", "배우", "연기", "최고", "는"]


def test_oov_words_are_new_words_from_the_vocabularys_alphabet():
    words = make_oov_words(VOCAB, 50, random.Random(0))
    assert len(words) == len(set(words)) == 50
    assert not set(words) & set(VOCAB)
    alphabet = {c for w in VOCAB[1:] for c in w}
    assert all(set(w) <= alphabet for w in words)  # Korean in, Korean out; no '<', '/', '>'


def test_in_vocab_sample_leaves_out_the_eos_marker():
    assert "</s>" not in sample_in_vocab(VOCAB, 100, random.Random(0))
    assert len(sample_in_vocab(VOCAB, 3, random.Random(0))) == 3


def test_document_sample_is_uniform_and_bounded(tmp_path):
    tokens = tmp_path / "t.txt"
    tokens.write_text("".join(f"w{i} x\n" for i in range(1000)), encoding="utf-8")
    docs = sample_documents(tokens, 100, random.Random(0))
    assert len(docs) == 100 and all(d[1] == "x" for d in docs)
    assert np.mean([int(d[0][1:]) for d in docs]) > 300  # not just the first lines


def test_parity_table_fails_above_the_tolerance_and_on_nan():
    same = {"in_vocab": np.ones((3, 2)), "oov": np.ones((3, 2)), "sentence": np.ones((2, 2))}
    vectors = {lib: {k: v.copy() for k, v in same.items()} for lib in ("fasttext", "gensim", "torch")}
    table = parity_table(vectors, 1e-5)
    assert table["passed"] and table["fasttext_vs_torch"]["oov_max_abs_diff"] == 0.0
    vectors["torch"]["oov"][1, 1] += 2e-5
    table = parity_table(vectors, 1e-5)
    assert not table["passed"]
    assert table["gensim_vs_torch"]["oov_max_abs_diff"] > 1e-5
    assert table["fasttext_vs_gensim"]["oov_max_abs_diff"] == 0.0
    vectors["gensim"]["sentence"][0, 0] = np.nan
    assert parity_table(vectors, 1e-5)["fasttext_vs_gensim"]["sentence_max_abs_diff"] == float("inf")


def test_page_shows_the_verdict_escapes_words_and_carries_its_font(tiny_pipeline):
    import json

    metrics = json.loads(tiny_pipeline["metrics"].read_text(encoding="utf-8"))
    metrics["run"] = "r<1>"
    metrics["neighbours"] = {"<b>": [["영화", 0.5]]}
    view = {
        "images": {},
        "summary_link": "../../summary.html",
        "manifest_link": "../ro-crate-metadata.json",
        "source": {"commit": "abc", "dirty": False},
        "versions": {"python": "3"},
        "platform": "here",
        "config_yaml": "a: 1",
        "sections_shown": {},
    }
    page = render.render("report.html.j2", m=metrics, view=view)
    assert "PASS" in page and "r&lt;1&gt;" in page and "&lt;b&gt;" in page
    assert "@font-face" in page and "data:font/ttf;base64," in page  # Korean renders without system fonts
    assert "../../summary.html" in page


def test_the_workflows_report_page(tiny_pipeline):
    page = tiny_pipeline["report_html"].read_text(encoding="utf-8")
    assert "<th></th>" not in page  # no empty header row
    assert "300,000 most frequent" not in page  # the protocol note states the real number
    assert "content words only" in page and "morphvec commit" in page
    assert "True" not in page and "False" not in page
    assert " UTC" not in page and "compute time" not in page  # no clock in an artefact a rerun reproduces
    assert '<a href="../ro-crate-metadata.json">' in page


def test_numbers_for_people():
    assert render.number(1234567) == "1,234,567"
    assert render.number(0.123456) == "0.123"
    assert render.number(None) == "–" and render.number(True) == "yes"
    assert render.percent(0.7091) == "70.9%"
    assert render.scientific(3.58e-07) == "3.6e-07"
