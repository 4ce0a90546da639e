"""Raw text into the static export (morphvec.raw_text): eojeol rows composed from morphemes, fitted
word pieces for the others, run by ``tokenizers`` alone; analysed input keeps fastText parity."""

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import sample_texts

from morphvec import layout
from morphvec.evaluation.sentences import row_cosines
from morphvec.raw_text import build_raw_text, flavour_tokenizer, segment

NOUNS = ["영화", "배우", "감독", "음악", "장면", "결말", "주인공", "대사", "연출", "배경", "각본", "편집"]


def toy_layer(eojeol_min_count=2):
    """Morphemes with random unit rows; eojeol "<noun>가" / "<noun>다" analysed as noun + ending."""
    words = [*NOUNS, "가", "다"]
    rng = np.random.default_rng(0)
    table = rng.normal(size=(len(words), 8)).astype(np.float32)
    table /= np.linalg.norm(table, axis=1, keepdims=True)
    counts = [(noun + "가", 5) for noun in NOUNS] + [(noun + "다", 4) for noun in NOUNS] + [("영화", 9)]
    analyses = {eojeol: [eojeol[:-1], eojeol[-1]] for eojeol, _ in counts if eojeol != "영화"} | {"영화": ["영화"]}
    rows = dict(zip(words, table, strict=True))
    vectors = lambda texts: np.stack([rows.get(text, np.zeros(8, np.float32)) for text in texts])  # noqa: E731
    layer = build_raw_text(words, counts, analyses, eojeol_min_count, 0, vectors)
    return words, table, layer


def test_an_eojeol_row_is_the_sum_of_its_morphemes_rows_and_a_morpheme_keeps_its_own():
    words, table, layer = toy_layer()
    rows = dict(zip(words + layer.keys, np.vstack([table, layer.rows(table)]), strict=True))
    assert "영화" not in layer.eojeol  # a morpheme already: its row is the morpheme's (analysed parity)
    assert np.allclose(rows["배우가"], table[words.index("배우")] + table[words.index("가")], atol=1e-6)
    assert layer.stats["eojeol_rows"] == 2 * len(NOUNS) and layer.stats["morphemes_without_row"] == 0


def test_an_unseen_eojeol_is_cut_into_pieces_fitted_to_compose_like_the_seen_ones():
    words, table, layer = toy_layer(eojeol_min_count=100)  # no eojeol rows: pieces only
    tokenizer = flavour_tokenizer(words + layer.keys, "[UNK]", raw_text=True, lowercase=False)
    full = np.vstack([table, layer.rows(table), np.zeros((1, 8), np.float32)])
    assert tokenizer.encode("감독다").tokens == ["감독", "##다"]
    # "##다" learnt from the corpus' "<noun>다" eojeol: it stands for the ending's row
    cut = full[tokenizer.encode("감독다").ids].sum(axis=0)
    expected = table[words.index("감독")] + table[words.index("다")]
    assert row_cosines(cut[None], expected[None])[0] > 0.99
    assert tokenizer.encode("鬱").tokens == ["[UNK]"]  # a character the corpus never had
    assert tokenizer.encode("쎄").tokens == ["쎄"]  # every Hangul syllable is a piece
    # a piece no eojeol holds gets fastText's vector of its text: here none, so zero
    assert not full[tokenizer.token_to_id("쎄")].any()


def test_the_rows_are_linear_in_the_table_so_every_flavour_gets_its_own():
    _, table, layer = toy_layer(eojeol_min_count=3)
    weights = np.linspace(0.5, 2, table.shape[0], dtype=np.float32)[:, None]
    assert np.allclose(layer.rows(2 * table, 2 * layer.prior), 2 * layer.rows(table), atol=1e-5)
    weighted = layer.rows(table * weights, layer.prior)
    assert np.allclose(weighted[: len(layer.eojeol)], layer.composition @ (table * weights), atol=1e-5)


def test_the_fit_cuts_words_as_tokenizers_wordpiece_does():
    words, _, layer = toy_layer(eojeol_min_count=3)
    keys = words + layer.keys
    tokenizer = flavour_tokenizer(keys, "[UNK]", raw_text=True, lowercase=False)
    index = set(keys)
    for word in ["영화가", "배우다", "주인공가다", "감독영화", "가다가", "대사鬱", "연출"]:
        ours = segment(word, index, max(map(len, keys)))
        theirs = tokenizer.encode(word).tokens
        assert (ours or ["[UNK]"]) == theirs, word


# --- the tiny run ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def held_out():
    """Reviews 1,501-2,000 of the bundled sample: the tiny run trained on the first 1,500."""
    return [" ".join(text.split()) for text in sample_texts(2000)[1500:] if text.split()]


@pytest.fixture(scope="module")
def analysed(held_out):
    from morphvec.tokenize import Tokenizer

    cut = Tokenizer("mecab")
    return [" ".join(token for token, _ in cut(text)) for text in held_out]


def test_raw_reviews_the_run_never_saw_come_close_to_the_analysed_texts_vector(
    tiny_pipeline, fasttext_model, held_out, analysed
):
    """The tiny run (1,500 reviews, 16 dimensions) is far below the goals the bundled run meets
    (tests/test_install.py): here raw text must beat the morpheme table alone by a clear margin."""
    from model2vec import StaticModel

    static_dir = tiny_pipeline["static_weights"].parent
    model = StaticModel.from_pretrained(str(static_dir))
    stats = json.loads((static_dir / "stats.json").read_text())
    reference = np.stack([fasttext_model.get_sentence_vector(text) for text in analysed])
    cosines = row_cosines(model.encode(held_out), reference)
    before = row_cosines(morpheme_rows_only(model, static_dir, held_out), reference)
    assert cosines.mean() >= 0.93 and cosines.mean() >= before.mean() + 0.05, (cosines.mean(), before.mean())
    unknown = model.tokenizer.token_to_id(stats["unknown_token"])
    words = sum(len(text.split()) for text in held_out)
    assert sum(i == unknown for text in held_out for i in model.tokenizer.encode(text).ids) / words <= 0.01
    # Analysed input still gives fastText's vector exactly where every token has a row.
    words_known = set(fasttext_model.words)
    known = [text for text in analysed if all(token in words_known for token in text.split())]
    assert len(known) > 50
    exact = np.stack([fasttext_model.get_sentence_vector(text) for text in known])
    assert np.abs(model.encode(known) - exact).max() <= 1e-5


def test_sentence_transformers_reads_the_same_raw_text_rows(tiny_pipeline, held_out):
    from model2vec import StaticModel
    from sentence_transformers import SentenceTransformer

    static_dir = str(tiny_pipeline["static_weights"].parent)
    ours = SentenceTransformer(static_dir, device="cpu").encode(held_out[:100], convert_to_numpy=True)
    theirs = StaticModel.from_pretrained(static_dir).encode(held_out[:100])
    some = np.linalg.norm(theirs, axis=1) > 0  # a review of characters the corpus never had: zero in both
    assert some.sum() >= 95 and np.allclose(ours[~some], 0)
    assert row_cosines(ours[some], theirs[some]).min() > 1 - 1e-5  # same direction (ST averages the unknown row in)


def morpheme_rows_only(model, static_dir, texts):
    """What raw text gave before raw-text rows: the mean of the rows of its words that are tokens."""
    stats = json.loads((static_dir / "stats.json").read_text())
    tokens = stats["vocabulary_rows"] + stats["extension_rows"]  # the morpheme rows come first
    vocabulary = {key: i for key, i in model.tokenizer.get_vocab().items() if i < tokens}
    ids = [[vocabulary[w] for w in text.split() if w in vocabulary] or [-1] for text in texts]  # -1: the zero row
    return np.stack([model.embedding[row].mean(axis=0) for row in ids])


def test_the_sif_flavour_has_raw_text_rows_of_its_own(tiny_pipeline, held_out, analysed):
    """SIF with its common direction removed (the tiny run's setting) is far more sensitive than
    the plain mean: 0.78 here against 0.18 from the morpheme rows alone."""
    from model2vec import StaticModel

    folder = tiny_pipeline["static_sif"]
    sif = StaticModel.from_pretrained(str(folder))
    reference = sif.encode(analysed)
    cosines = row_cosines(sif.encode(held_out), reference)
    before = row_cosines(morpheme_rows_only(sif, tiny_pipeline["static_weights"].parent, held_out), reference)
    assert cosines.mean() >= 0.7 and cosines.mean() >= before.mean() + 0.3, (cosines.mean(), before.mean())


def test_the_report_and_card_say_what_raw_text_gives(tiny_pipeline):
    metrics = json.loads(tiny_pipeline["metrics"].read_text(encoding="utf-8"))
    stats = metrics["static_raw_text"]
    assert stats["eojeol_rows"] > 0 and stats["piece_rows"] > 0
    agreement = metrics["sentence_similarity"]["korsts_test"]["methods"]["static_mean_raw"]["raw_agreement"]
    assert agreement["reference"] == "fasttext_mean_analysed" and agreement["mean_cosine"] > 0.9
    card = (tiny_pipeline["package"] / "README.md").read_text(encoding="utf-8")
    assert "Raw text works too" in card and f"{agreement['mean_cosine']:.3f}" in card


def test_a_whitespace_run_has_no_raw_text_rows(workflow_run):
    folder = workflow_run / layout.RESULTS / "en_tiny" / "export_static"
    assert json.loads((folder / "stats.json").read_text())["raw_text"] is None
    assert json.loads((folder / "tokenizer.json").read_text())["model"]["type"] == "WordLevel"


def test_a_jamo_run_takes_raw_hangul(workflow_run):
    from model2vec import StaticModel

    folder = workflow_run / layout.RESULTS / "ko_kiwi_jamo" / "export_static"
    model = StaticModel.from_pretrained(str(folder))
    stats = json.loads((folder / "stats.json").read_text())["raw_text"]
    assert stats["eojeol_rows"] > 0
    tokens = model.tokenizer.encode("영화가 정말 재미있었다").tokens
    assert "[UNK]" not in tokens and all(char < "\u1100" or char > "\u11ff" for token in tokens for char in token)
    # its SIF flavour weighs the corpus' tokens though they were counted in jamo: 영화 is frequent
    sif = StaticModel.from_pretrained(str(folder / "sif"))
    row = sif.embedding[sif.tokenizer.token_to_id("영화/NNG")]
    assert 0 < np.linalg.norm(row) < 0.5


def test_raw_text_rows_without_the_corpus_files_are_one_message(capsys, tiny_pipeline, tmp_path):
    from conftest import one_message

    from morphvec.export import export_static
    from morphvec.runtime import run_cli

    argv = ["--torch-weights", str(tiny_pipeline["torch_weights"]), "--torch-vocab", str(tiny_pipeline["torch_vocab"])]
    argv += ["--token-counts", str(tiny_pipeline["token_counts"])]
    for name in ("static_weights", "static_tokenizer", "static_config", "static_modules"):
        argv += [f"--{name.replace('_', '-')}", str(tmp_path / "static" / Path(tiny_pipeline[name]).name)]
    err = one_message(capsys, run_cli(export_static, argv))
    assert "raw-text rows need the corpus' token statistics" in err and "--no-raw-text" in err
    assert not (tmp_path / "static").exists()
