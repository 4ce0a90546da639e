import json
import math
from pathlib import Path

import numpy as np
import pytest
from gensim.models import KeyedVectors

from morphvec.evaluation import evaluate_analogies, evaluate_similarity, evaluate_vectors, read_similarity_pairs
from morphvec.formats import detect_vectors_format, load_vectors
from morphvec.runtime import UserInputError, run_cli


def main(argv):
    return run_cli(evaluate_vectors, argv)


def unit(degrees):
    return [math.cos(math.radians(degrees)), math.sin(math.radians(degrees))]


@pytest.fixture()
def angles_kv():
    """Words on the unit circle: cosine similarity falls with the angle between them."""
    kv = KeyedVectors(vector_size=2)
    kv.add_vectors(["a", "b", "c", "d"], np.array([unit(0), unit(10), unit(40), unit(80)], dtype=np.float32))
    return kv


def test_similarity_with_known_ranking_gives_rho_one_and_coverage(angles_kv):
    pairs = [("a", "b", 9.0), ("a", "c", 5.0), ("a", "d", 1.0), ("a", "unknown", 3.0)]
    result = evaluate_similarity(angles_kv, pairs)
    assert result["spearman"] == pytest.approx(1.0)
    assert result["coverage"] == pytest.approx(0.75)
    assert result["pairs_in_vocab"] == 3
    reversed_scores = [(a, b, -s) for a, b, s in pairs]
    assert evaluate_similarity(angles_kv, reversed_scores)["spearman"] == pytest.approx(-1.0)


def test_rho_interval_holds_rho_and_the_paired_difference_of_a_model_with_itself_is_zero():
    from scipy.stats import spearmanr

    from morphvec.evaluation import spearman_interval

    rng = np.random.default_rng(7)
    human = rng.random(300)
    close, far = human + 0.3 * rng.random(300), human + 3 * rng.random(300)
    low, high = spearman_interval(human, close)
    assert low < spearmanr(human, close).statistic < high <= 1.0 and high - low < 0.05
    assert spearman_interval(human, close) == [low, high]  # seeded: the same interval every time
    assert spearman_interval(human, close, close) == [0.0, 0.0]
    better_low, _ = spearman_interval(human, close, far)  # the closer model is better on every resample
    assert better_low > 0.2
    assert spearman_interval(human[:2], close[:2]) is None  # too few pairs
    assert spearman_interval(human[:5], np.zeros(5)) is None  # a constant model has no ρ


def test_similarity_files_with_bom_header_comments_and_tabs(tmp_path):
    csv_file = tmp_path / "ws.csv"
    csv_file.write_text("\ufeffword 1,word 2,kor_score\n사랑,섹스,6.42\n호랑이,고양이,7.17\n", encoding="utf-8")
    tsv_file = tmp_path / "ws.tsv"
    tsv_file.write_text("# comment\nlove\tsex\t6.77\ntiger\tcat\t7.35\n", encoding="utf-8")
    assert read_similarity_pairs(csv_file) == [("사랑", "섹스", 6.42), ("호랑이", "고양이", 7.17)]
    assert read_similarity_pairs(tsv_file) == [("love", "sex", 6.77), ("tiger", "cat", 7.35)]
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,1\nc,d,high\n", encoding="utf-8")
    with pytest.raises(UserInputError, match="row 2: the score 'high' is not a number"):
        read_similarity_pairs(bad)


GENDER = {"man": [1, 0, 0], "woman": [1, 1, 0], "king": [1, 0, 1], "queen": [1, 1, 1], "apple": [-1, 0, 0]}


@pytest.fixture()
def gender_kv():
    kv = KeyedVectors(vector_size=3)
    kv.add_vectors(list(GENDER), np.array(list(GENDER.values()), dtype=np.float32))
    return kv


def test_analogy_accuracy_and_coverage(tmp_path, gender_kv):
    questions = tmp_path / "q.txt"
    questions.write_text(": gender\nman woman king queen\nking queen man woman\nman woman boy girl\n")
    result = evaluate_analogies(gender_kv, questions)
    assert result["accuracy"] == 1.0
    assert (result["scored"], result["questions"]) == (2, 3)
    assert result["coverage"] == pytest.approx(2 / 3)
    assert result["sections"]["gender"]["accuracy"] == 1.0


def test_cli_scores_any_vectors_file(tmp_path, angles_kv, capsys):
    path = tmp_path / "v.txt"
    angles_kv.save_word2vec_format(str(path))
    pairs = tmp_path / "p.tsv"
    pairs.write_text("a\tb\t9\na\tc\t5\na\td\t1\n", encoding="utf-8")
    out = tmp_path / "scores.json"
    assert detect_vectors_format(path) == "word2vec"
    assert main(["--vectors", str(path), "--similarity", f"mine={pairs}", "--scores", str(out)]) == 0
    assert json.loads(out.read_text())["similarity"]["mine"]["spearman"] == pytest.approx(1.0)
    assert main(["--vectors", str(tmp_path / "missing.bin")]) == 2
    assert "vectors not found" in capsys.readouterr().err


def test_all_formats_of_one_model_load_to_the_same_vectors(tiny_pipeline, fasttext_model):
    word = fasttext_model.get_words()[3]
    expected = fasttext_model.get_word_vector(word)
    sources = [
        tiny_pipeline["model_bin"],
        tiny_pipeline["gensim_kv"],
        tiny_pipeline["gensim_model"],
        tiny_pipeline["w2v_bin"],
        tiny_pipeline["torch_dir"],
    ]
    for source in sources:
        loaded = load_vectors(source, trust_pickle=True)  # the .kv/.model pickles are this test's own
        np.testing.assert_allclose(loaded.get_vector(word), expected, atol=1e-6, err_msg=str(source))


def test_subword_analogies_agree_with_gensim_on_in_vocabulary_questions(tmp_path, tiny_pipeline):
    import random

    from gensim.models.fasttext import FastTextKeyedVectors

    from morphvec.evaluation import evaluate_analogies_subword

    kv = FastTextKeyedVectors.load(str(tiny_pipeline["gensim_kv"]))
    rng = random.Random(1)
    words = kv.index_to_key[10:300]
    lines = [": random"] + [" ".join(rng.sample(words, 4)) for _ in range(200)]
    lines += [": with-unknown-words", f"처음보는말 {words[0]} {words[1]} {words[2]}", f"{words[0]} a b 없는답말"]
    questions = tmp_path / "q.txt"
    questions.write_text("\n".join(lines) + "\n", encoding="utf-8")
    gensim_protocol = evaluate_analogies(kv, questions)
    subword = evaluate_analogies_subword(kv, questions)
    assert subword["questions"] == 202
    assert subword["scored"] == 201  # the question whose answer is unknown cannot be scored
    assert gensim_protocol["scored"] == 200  # gensim skips the one with an unknown query word
    assert subword["sections"]["random"]["correct"] == gensim_protocol["sections"]["random"]["correct"]
    assert subword["sections"]["with-unknown-words"]["scored"] == 1


def test_analogies_are_scored_on_a_torch_export_as_on_gensim(tiny_pipeline):
    analogies = Path(__file__).resolve().parents[1] / "resources/eval/analogy_family_ko.txt"
    torch_scores = evaluate_vectors(tiny_pipeline["torch_dir"], analogy={"family": str(analogies)})
    gensim_scores = evaluate_vectors(tiny_pipeline["gensim_kv"], trust_pickle=True, analogy={"family": str(analogies)})
    for protocol in ("analogy", "analogy_subword"):
        torch_result, gensim_result = torch_scores[protocol]["family"], gensim_scores[protocol]["family"]
        assert torch_result["questions"] == gensim_result["questions"] == 182
        assert torch_result["scored"] == gensim_result["scored"]
        assert torch_result["accuracy"] == gensim_result["accuracy"]


def test_park_distance_is_the_mean_cosine_distance_to_the_answer(tmp_path, gender_kv):
    questions = tmp_path / "q.txt"
    questions.write_text(": gender\nman woman king queen\nman woman king apple\n: fruit\nman woman boy girl\n")

    def unit(word):
        v = np.array(GENDER[word], dtype=float)
        return v / np.linalg.norm(v)

    def distance(a, b, c, d):
        query = unit(b) - unit(a) + unit(c)
        return 1 - query @ unit(d) / np.linalg.norm(query)

    result = evaluate_analogies(gender_kv, questions)
    expected = (distance("man", "woman", "king", "queen") + distance("man", "woman", "king", "apple")) / 2
    assert result["sections"]["gender"]["distance"] == pytest.approx(expected, abs=1e-6)
    assert distance("man", "woman", "king", "queen") < 0.03 < 1.3 < distance("man", "woman", "king", "apple")
    assert result["distance_questions"] == 2  # gensim's protocol: the questions without an unknown word
    assert "distance" not in result["sections"].get("fruit", {})


def test_eojeol_answers_are_sought_among_the_corpus_eojeol_not_the_tests_words(tmp_path, tiny_pipeline):
    from morphvec.evaluation import evaluate_analogies_subword
    from morphvec.query import open_space

    space = open_space(tiny_pipeline["torch_dir"], tokenizer="mecab")
    corpus_eojeol = ["봤다", "했다", "영화"]  # 영화 is a token: no extra candidate
    questions = tmp_path / "q.txt"
    questions.write_text(": past\n보다 봤다 하다 했다\n하다 했다 먹다 먹었당께\n", encoding="utf-8")
    result = evaluate_analogies_subword(space, questions, eojeol=True, eojeol_words=corpus_eojeol)
    extra = [word for word in corpus_eojeol if space.lookup(word) is None]
    assert extra == ["봤다", "했다"]
    assert result["eojeol_candidates"] == 2 and result["candidates"] == len(space.index_to_key) + 2
    assert (result["scored"], result["questions"]) == (1, 2)  # 먹었당께 is no corpus eojeol: unanswerable
    assert result["distance_questions"] == 2  # Park's distance needs no candidates
    without = evaluate_analogies_subword(space, questions, eojeol=True)
    assert (without["scored"], without["candidates"]) == (0, len(space.index_to_key))
