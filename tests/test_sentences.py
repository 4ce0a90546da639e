"""Sentence similarity (morphvec/evaluation/sentences.py): pair files in every accepted form, each
bad one as one message naming the line, ρ with its interval against real scores, fastText's own
sentence vectors reproduced, and the report, summary, card and CLI carrying the figures."""

import gzip
import json

import numpy as np
import pytest
from conftest import KORSTS_HEAD_PAIRS, KORSTS_TEST, one_message
from scipy.stats import spearmanr

from morphvec.evaluation import (
    BASELINE,
    evaluate_sentences,
    evaluate_vectors,
    read_sentence_pairs,
    space_encoder,
)
from morphvec.evaluation.sentences import MIN_PAIRS_FOR_INTERVAL, char_tfidf_cosines
from morphvec.runtime import UserInputError

PAIRS = [("한 남자가 춤을 춘다.", "남자가 춤을 추고 있다.", 4.5), ("고양이가 잔다.", "비행기가 난다.", 0.2)]
PAIRS += [("아이가 말을 탄다.", "어린이가 말을 타고 있다.", 4.8), ("여자가 요리한다.", "남자가 운전한다.", 1.0)]


def test_korsts_is_read_with_quoting_off_and_its_scale():
    pairs = read_sentence_pairs(KORSTS_TEST)
    assert len(pairs.first) == len(pairs.second) == len(pairs.gold) == 1379
    assert pairs.scale == (0.0, 5.0) and pairs.gold.min() >= 0 and pairs.gold.max() <= 5
    with gzip.open(KORSTS_TEST, "rt", encoding="utf-8") as handle:
        quoted = [line.split("\t") for line in handle if '"' in line]
    assert quoted and quoted[0][5].strip() in pairs.first  # a quote is part of the sentence, not CSV quoting


@pytest.mark.parametrize(
    "name, text",
    [
        ("plain.tsv", "".join(f"{a}\t{b}\t{s}\n" for a, b, s in PAIRS)),
        ("named.tsv", "score\tsentence2\tsentence1\n" + "".join(f"{s}\t{b}\t{a}\n" for a, b, s in PAIRS)),
        ("plain.csv", "".join(f'"{a}","{b}",{s}\n' for a, b, s in PAIRS)),
        ("pairs.jsonl", "".join(json.dumps({"sentence1": a, "sentence2": b, "score": s}) + "\n" for a, b, s in PAIRS)),
    ],
)
def test_every_accepted_form_reads_the_same_pairs(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    pairs = read_sentence_pairs(path)
    assert pairs.first == [a for a, _, _ in PAIRS] and pairs.second == [b for _, b, _ in PAIRS]
    assert pairs.gold.tolist() == [s for _, _, s in PAIRS] and pairs.scale is None


KORSTS_HEADER = "genre\tfilename\tyear\tid\tscore\tsentence1\tsentence2\n"


@pytest.mark.parametrize(
    "text, says",
    [
        ("a\tb\t1\nc\td\n", "line 2: 2 columns, the file has 3"),
        ("a\tb\t1\nc\td\tmany\ne\tf\t2\n", "line 2: the score 'many' is not a number"),
        (KORSTS_HEADER + "x\tf\t2012\t1\t5.5\t가\t나\n", "line 2: the score '5.5' is outside KorSTS's 0-5"),
        ("a\tb\t1\n \td\t2\ne\tf\t3\n", "line 2: sentence1 is empty"),
        ("first\tsecond\tgold\tnote\na\tb\t1\n", "line 1: the header names 'first', 'second', 'gold', 'note'"),
        ('{"sentence1": "a", "score": 1}\n', "line 1: no sentence2"),
        ('{"sentence1": "a", "sentence2": "b", "score": 1\n', "line 1: not JSON"),
        ("a\tb\t1\nc\td\t2\n", "2 sentence pairs; ρ needs 3 at least"),
        ("", "no sentence pairs in the file"),
    ],
)
def test_a_bad_pair_file_is_one_message_naming_the_line(tmp_path, text, says):
    path = tmp_path / "pairs.tsv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserInputError) as raised:
        read_sentence_pairs(path)
    assert str(path) in str(raised.value) and says in str(raised.value)


def test_a_pair_file_in_another_encoding_names_it(tmp_path):
    path = tmp_path / "pairs.tsv"
    path.write_bytes("".join(f"{a}\t{b}\t{s}\n" for a, b, s in PAIRS).encode("cp949"))
    with pytest.raises(UserInputError, match=r"line 1.*(CP949|EUC-KR)"):
        read_sentence_pairs(path)
    gz = tmp_path / "pairs.tsv.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    with pytest.raises(UserInputError, match="line 1: not UTF-8"):
        read_sentence_pairs(gz)


def test_the_baseline_scores_korsts_test_as_measured():
    """The model-free baseline, real figures: KorSTS test 65.0 (issue 32's table), with its interval."""
    pairs = read_sentence_pairs(KORSTS_TEST)
    scored = evaluate_sentences(pairs, {})
    baseline = scored["methods"][BASELINE]
    assert baseline["spearman"] == pytest.approx(0.6497, abs=5e-4)
    low, high = baseline["spearman_interval"]
    assert 0.60 < low < baseline["spearman"] < high < 0.70
    assert len(scored["gold_scores"]) == len(scored["cosines"][BASELINE]) == 1379


def test_a_small_pair_set_says_it_is_too_small_for_an_interval(tmp_path):
    path = tmp_path / "pairs.tsv"
    path.write_text("".join(f"{a}\t{b}\t{s}\n" for a, b, s in PAIRS), encoding="utf-8")
    scored = evaluate_sentences(read_sentence_pairs(path), {})["methods"][BASELINE]
    assert scored["spearman_interval"] is None and f"({MIN_PAIRS_FOR_INTERVAL}+)" in scored["interval_note"]


def test_identical_sentences_have_a_baseline_cosine_of_one():
    pairs = read_sentence_pairs(KORSTS_TEST)
    cosines = char_tfidf_cosines(pairs)
    same = [i for i, (a, b) in enumerate(zip(pairs.first, pairs.second, strict=True)) if a == b]
    assert same and np.allclose(cosines[same], 1.0)


def test_the_mean_flavour_is_fasttexts_sentence_vector(tiny_pipeline, fasttext_model):
    """space_encoder on analysed text is fastText's own get_sentence_vector (unknown tokens too)."""
    from morphvec.query import open_space

    space = open_space(tiny_pipeline["model_bin"])
    texts = [" ".join(line.split()[:12]) for line in tiny_pipeline["tokens"].read_text(encoding="utf-8").splitlines()]
    texts = [*texts[:50], "없는토큰이다 영화 .", "완전히새로운말"]
    ours = space_encoder(space)(texts)
    theirs = np.stack([fasttext_model.get_sentence_vector(text) for text in texts])
    assert np.abs(ours - theirs).max() < 1e-5


def test_the_report_scores_sentences_raw_and_analysed(tiny_pipeline, workflow_run):
    metrics = json.loads(tiny_pipeline["metrics"].read_text(encoding="utf-8"))
    scored = metrics["sentence_similarity"]["korsts_test"]
    assert scored["pairs"] == KORSTS_HEAD_PAIRS and scored["scale"] == [0.0, 5.0]  # KorSTS's head, recognised
    head = read_sentence_pairs(workflow_run / "korsts" / "sts-test.tsv")
    methods = scored["methods"]
    vectors = ("fasttext_mean", "static_mean", "static_sif", "static_tuned")
    expected = {BASELINE, *(f"{v}_{i}" for v in vectors for i in ("raw", "analysed"))}
    assert set(methods) == expected
    baseline = evaluate_sentences(head, {})["methods"][BASELINE]["spearman"]
    assert methods[BASELINE]["spearman"] == baseline  # no model: the same in every run
    # cut as the corpus was, most tokens have a row; split at whitespace, most have none in fastText,
    # while the static export's raw-text rows take nearly all (test_raw_text.py)
    raw, analysed = (methods[f"fasttext_mean_{i}"]["tokens_unknown_share"] for i in ("raw", "analysed"))
    assert analysed < 0.5 < raw
    assert (
        methods["static_mean_raw"]["tokens_unknown_share"] < 0.01
        and methods["static_mean_analysed"]["tokens_unknown_share"] < 0.01
    )
    assert all(m["spearman_interval"] for m in methods.values())
    assert "sts:korsts_test" in metrics["inputs"]
    page = (tiny_pipeline["metrics"].parent / "report.html").read_text(encoding="utf-8")
    assert "<h3>Sentence similarity</h3>" in page and "static export, SIF flavour, raw input" in page
    assert metrics["static_sif"] == {"a": 0.0003, "components": 1, "documents": metrics["corpus"]["documents_written"]}
    assert 0.5 < metrics["sentiment_probe_sif"]["accuracy"] <= 1  # the probe's documents, on the SIF flavour
    jamo = json.loads((workflow_run / "results/ko_kiwi_jamo/report/metrics.json").read_text(encoding="utf-8"))
    jamo_methods = jamo["sentence_similarity"]["korsts_test"]["methods"]
    assert jamo_methods["fasttext_mean_analysed"]["tokens_unknown_share"] < 0.5  # Kiwi's POS jamo tokens found


def test_the_summary_and_the_card_carry_the_sentence_figures(workflow_run):
    summary = (workflow_run / "results" / "summary.tsv").read_text(encoding="utf-8").splitlines()
    header = summary[0].split("\t")
    assert "korsts_test_sts_fasttext_analysed" in header and "korsts_test_sts_difference_low" in header
    rows = {line.split("\t")[0]: dict(zip(header, line.split("\t"), strict=True)) for line in summary[1:]}
    head = read_sentence_pairs(workflow_run / "korsts" / "sts-test.tsv")
    baseline = evaluate_sentences(head, {})["methods"][BASELINE]["spearman"]
    assert float(rows["ko_tiny"]["korsts_test_sts_baseline"]) == pytest.approx(baseline, abs=1e-4)
    # paired with the first run that scored the file (en_tiny, first, has none; ko_kiwi_jamo is the reference)
    assert rows["ko_kiwi_jamo"]["korsts_test_sts_difference"] == ""
    ours, theirs = (float(rows[run]["korsts_test_sts_fasttext_analysed"]) for run in ("ko_tiny", "ko_kiwi_jamo"))
    assert float(rows["ko_tiny"]["korsts_test_sts_difference"]) == pytest.approx(ours - theirs, abs=2e-4)
    metrics = {run: json.loads((workflow_run / f"results/{run}/report/metrics.json").read_bytes()) for run in rows}
    sets = [metrics[run]["sentence_similarity"]["korsts_test"] for run in ("ko_tiny", "ko_kiwi_jamo")]
    for scored in sets:  # the stored cosines give the reported ρ: a paired difference is of these
        rho = spearmanr(scored["gold_scores"], scored["cosines"]["fasttext_mean_analysed"]).statistic
        assert rho == pytest.approx(scored["methods"]["fasttext_mean_analysed"]["spearman"], abs=1e-6)
    low, high = (float(rows["ko_tiny"][f"korsts_test_sts_difference_{bound}"]) for bound in ("low", "high"))
    assert low < high
    card = (workflow_run / "results" / "ko_tiny" / "package" / "README.md").read_text(encoding="utf-8")
    assert "type: sentence-similarity" in card and "cos_sim_spearman" in card
    assert "korsts_test: Spearman ρ × 100 with no model at all" in card and "KorNLI and KorSTS" in card


def test_the_cli_scores_sentence_pairs_and_names_a_bad_file(tiny_pipeline, tmp_path, capsys):
    from morphvec.runtime import run_cli

    scored = evaluate_vectors(tiny_pipeline["model_bin"], sts={"korsts_test": str(KORSTS_TEST)}, tokenizer="mecab")
    methods = scored["sentence_similarity"]["korsts_test"]["methods"]
    assert set(methods) == {BASELINE, "vectors_mean_raw", "vectors_mean_analysed"}
    assert "cosines" not in scored["sentence_similarity"]["korsts_test"]  # in the scores file, not printed
    bad = tmp_path / "bad.tsv"
    bad.write_text("a\tb\t1\nc\td\tmany\ne\tf\t2\n", encoding="utf-8")
    code = run_cli(evaluate_vectors, ["--vectors", str(tiny_pipeline["model_bin"]), "--sts", f"bad={bad}"])
    err = one_message(capsys, code)
    assert f"{bad}: line 2: the score 'many' is not a number" in err
