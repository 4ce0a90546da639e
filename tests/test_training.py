import json

import fasttext
import numpy as np
import pytest
from conftest import TINY_FASTTEXT

from morphvec.runtime import UserInputError, run_cli
from morphvec.training import fill_zero_ngram_rows, train_fasttext, zero_ngram_rows


def main(argv):
    return run_cli(train_fasttext, argv)


def test_fill_gives_only_all_zero_ngram_rows_uniform_values():
    matrix = np.zeros((10, 4), dtype=np.float32)
    matrix[:3] = 7.0  # word rows stay as they are, even if zero
    matrix[5] = 0.5  # a trained n-gram row
    filled = fill_zero_ngram_rows(matrix, n_words=3, seed=1)
    assert filled == 6
    assert np.all(matrix[:3] == 7.0) and np.all(matrix[5] == 0.5)
    assert not zero_ngram_rows(matrix, 3).any()
    assert np.all(np.abs(matrix[[3, 4, 6, 7, 8, 9]]) <= 1 / 4)


def test_training_writes_bin_vec_and_stats_with_the_zero_row_fix(tiny_pipeline, fasttext_model):
    stats = json.loads(tiny_pipeline["train_stats"].read_text())
    zero = stats["zero_ngram_rows"]
    # fastText#1061: with one thread only 1/10 of the matrix is initialised; most n-gram rows
    # that no training word hashes into stay exactly zero ...
    assert zero["before_fix_share"] > 0.3
    # ... and the fix leaves none.
    assert zero["after_fix"] == 0 and zero["filled"] == zero["before_fix"]
    words = fasttext_model.get_words()
    matrix = fasttext_model.get_input_matrix()
    assert not zero_ngram_rows(matrix, len(words)).any()
    assert stats["params"] == {**stats["params"], **TINY_FASTTEXT}
    header, first = tiny_pipeline["model_vec"].read_text(encoding="utf-8").split("\n")[:2]
    assert header == f"{len(words)} {TINY_FASTTEXT['dim']}"
    word, *values = first.split()
    assert word == words[0]
    np.testing.assert_allclose([float(v) for v in values], fasttext_model.get_word_vector(word), rtol=1e-4, atol=1e-5)


def test_one_thread_is_reproducible_and_seed_is_honoured(tmp_path, tiny_pipeline):
    def matrix(name, **overrides):
        path = tmp_path / f"{name}.bin"
        train_fasttext(tiny_pipeline["tokens"], path, fasttext={**TINY_FASTTEXT, "epoch": 1, **overrides})
        return fasttext.load_model(str(path)).get_input_matrix()

    first, again, other_seed = matrix("a"), matrix("b"), matrix("c", seed=7)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other_seed)


def test_fix_changes_no_word_vector_of_the_vocabulary(tmp_path, tiny_pipeline, fasttext_model):
    raw = tmp_path / "raw.bin"
    stats = train_fasttext(tiny_pipeline["tokens"], raw, fasttext=TINY_FASTTEXT, fill_untrained_ngrams=False)
    assert stats["zero_ngram_rows"]["after_fix"] == stats["zero_ngram_rows"]["before_fix"] > 0
    raw_model = fasttext.load_model(str(raw))
    for word in fasttext_model.get_words()[:300]:
        np.testing.assert_array_equal(raw_model.get_word_vector(word), fasttext_model.get_word_vector(word))


def test_unknown_parameter_is_a_clear_error(tmp_path, tiny_pipeline):
    with pytest.raises(UserInputError, match=r"unknown fastText parameter\(s\) \['min_count'\]"):
        train_fasttext(tiny_pipeline["tokens"], tmp_path / "m.bin", fasttext={"min_count": 2})


def test_cli_help_and_missing_input(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    assert "--minCount" in capsys.readouterr().out
    assert main(["--tokens", str(tmp_path / "none.txt"), "--model-bin", str(tmp_path / "m.bin")]) == 2
    assert "tokenized corpus not found" in capsys.readouterr().err


def test_fasttext_failure_is_a_clear_error_and_leaves_nothing(tmp_path, tiny_pipeline):
    out = tmp_path / "m.bin"
    with pytest.raises(UserInputError, match=r"tokens\.txt: no word occurs fasttext\.minCount \(1000000000\) times"):
        train_fasttext(tiny_pipeline["tokens"], out, fasttext={**TINY_FASTTEXT, "minCount": 10**9})
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(UserInputError, match=r"fasttext could not train on .*tokens\.txt"):  # NaN: diverged
        train_fasttext(tiny_pipeline["tokens"], out, fasttext={**TINY_FASTTEXT, "lr": 1e6})
    assert list(tmp_path.iterdir()) == []


def test_gensim_trainer_writes_a_model_fasttext_opens(tmp_path, tiny_pipeline):
    from gensim.models.fasttext import load_facebook_vectors

    out = tmp_path / "gensim.bin"
    stats = train_fasttext(tiny_pipeline["tokens"], out, fasttext=TINY_FASTTEXT, trainer="gensim")
    assert stats["trainer"] == "gensim"
    assert stats["zero_ngram_rows"]["before_fix"] == 0  # gensim initialises every row
    model = fasttext.load_model(str(out))
    wv = load_facebook_vectors(str(out))
    assert model.get_dimension() == TINY_FASTTEXT["dim"] and len(model.get_words()) == len(wv) == stats["words"]
    for word in [*model.get_words()[:50], "처음보는말뭉치"]:
        np.testing.assert_allclose(model.get_word_vector(word), wv[word], atol=1e-5)


def test_filling_the_saved_file_equals_filling_the_matrix(tmp_path, tiny_pipeline):
    from morphvec.training import fill_zero_ngram_rows_in_file

    raw = tmp_path / "raw.bin"
    train_fasttext(tiny_pipeline["tokens"], raw, fasttext={**TINY_FASTTEXT, "epoch": 1}, fill_untrained_ngrams=False)
    model = fasttext.load_model(str(raw))
    n_words, matrix = len(model.get_words()), model.get_input_matrix()
    expected = matrix.copy()
    filled_in_memory = fill_zero_ngram_rows(expected, n_words, seed=5)
    zero, filled = fill_zero_ngram_rows_in_file(str(raw), n_words, len(matrix), matrix.shape[1], seed=5, fill=True)
    assert zero == filled == filled_in_memory > 0
    np.testing.assert_array_equal(fasttext.load_model(str(raw)).get_input_matrix(), expected)
    with pytest.raises(RuntimeError, match="input matrix header"):
        fill_zero_ngram_rows_in_file(str(raw), n_words, len(matrix) + 1, matrix.shape[1], seed=5, fill=True)
