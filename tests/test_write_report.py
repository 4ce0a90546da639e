import random

import numpy as np

from write_report import (
    make_oov_words,
    parity_table,
    probe_documents,
    render_html,
    sample_documents,
    sample_in_vocab,
)

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


def test_html_shows_the_verdict_and_escapes_words():
    metrics = {
        "run": "r<1>",
        "parity": {
            **parity_table(
                {lib: {k: np.zeros((1, 1)) for k in ("in_vocab", "oov", "sentence")} for lib in "abc"}, 1e-5
            ),
            "samples": {"in_vocab": 1, "oov": 1, "sentence": 1},
        },
        "corpus": {
            "documents": 1,
            "documents_written": 1,
            "dropped_empty": 0,
            "tokens": 2,
            "types": 2,
            "tokenizer": "mecab",
        },
        "training": {
            "zero_ngram_rows": {"before_fix_share": 0.7, "after_fix_share": 0.0},
            "buckets": 10,
            "seconds": 1.0,
            "params": {},
        },
        "vocabulary_size": 2,
        "quality": {"similarity": {}, "analogy": {}},
        "neighbours": {"<b>": [["영화", 0.5]]},
    }
    page = render_html(metrics, {})
    assert "PASS" in page and "r&lt;1&gt;" in page and "&lt;b&gt;" in page and "70.0%" in page


def test_probe_sample_keeps_labels_with_their_documents_and_refuses_misaligned_files(tmp_path):
    tokens, labels = tmp_path / "t.txt", tmp_path / "l.txt"
    tokens.write_text("".join(f"doc{i} x\n" for i in range(500)), encoding="utf-8")
    labels.write_text("".join(f"{i}\n" for i in range(500)), encoding="utf-8")
    docs, doc_labels = probe_documents(tokens, labels, 50, seed=0)
    assert len(docs) == 50 and all(d == f"doc{lab} x" for d, lab in zip(docs, doc_labels, strict=True))
    labels.write_text("".join(f"{i}\n" for i in range(499)), encoding="utf-8")
    assert probe_documents(tokens, labels, 50, seed=0) == ([], [])
