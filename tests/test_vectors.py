import json

import numpy as np
from gensim.models import FastText, KeyedVectors
from gensim.models.fasttext import FastTextKeyedVectors

from morphvec.vectors import EOS


def test_gensim_files_open_memory_mapped_with_fasttext_vectors(tiny_pipeline, fasttext_model):
    kv = FastTextKeyedVectors.load(str(tiny_pipeline["gensim_kv"]), mmap="r")
    model = FastText.load(str(tiny_pipeline["gensim_model"]), mmap="r")
    assert isinstance(kv.vectors_ngrams, np.memmap)  # really memory-mapped, not read
    assert len(kv) == len(fasttext_model.get_words()) == len(model.wv)
    for word in [w for w in fasttext_model.get_words()[:200] if w != EOS]:
        np.testing.assert_allclose(kv[word], fasttext_model.get_word_vector(word), atol=1e-6)
    np.testing.assert_allclose(kv["처음보는말뭉치"], fasttext_model.get_word_vector("처음보는말뭉치"), atol=1e-6)
    assert model.wv.get_vecattr(kv.index_to_key[0], "count") >= model.wv.get_vecattr(kv.index_to_key[-1], "count")


def test_vocabulary_file_is_key_to_index_order_with_counts(tiny_pipeline):
    kv = FastTextKeyedVectors.load(str(tiny_pipeline["gensim_kv"]))
    model = FastText.load(str(tiny_pipeline["gensim_model"]))
    lines = tiny_pipeline["vocab"].read_text(encoding="utf-8").splitlines()
    assert lines[0] == "id\tword\tcount"
    rows = [line.split("\t") for line in lines[1:]]
    assert [word for _, word, _ in rows] == kv.index_to_key
    assert all(int(i) == kv.key_to_index[w] for i, w, _ in rows)
    assert all(int(c) == model.wv.get_vecattr(w, "count") for _, w, c in rows)


def test_word_vectors_are_what_fasttext_returns_including_eos(tiny_pipeline, fasttext_model):
    vectors = np.load(tiny_pipeline["word_vectors"])
    words = fasttext_model.get_words()
    assert vectors.shape == (len(words), fasttext_model.get_dimension())
    expected = np.stack([fasttext_model.get_word_vector(w) for w in words])
    np.testing.assert_allclose(vectors, expected, atol=1e-6)
    assert words[vectors.shape[0] - len(words) :] and EOS in words  # </s> covered by the comparison


def test_ngram_and_output_matrices_match_fasttext(tiny_pipeline, fasttext_model):
    ngrams = np.load(tiny_pipeline["ngram_vectors"])
    output = np.load(tiny_pipeline["output_vectors"])
    n_words = len(fasttext_model.get_words())
    np.testing.assert_array_equal(ngrams, fasttext_model.get_input_matrix()[n_words:])
    np.testing.assert_array_equal(output, fasttext_model.get_output_matrix())
    settings = json.loads(tiny_pipeline["ngram_settings"].read_text())
    assert (settings["min_n"], settings["max_n"], settings["bucket"]) == (3, 6, 20000)
    assert settings["vocabulary_size"] == n_words


def test_word2vec_files_load_back(tiny_pipeline):
    kv = FastTextKeyedVectors.load(str(tiny_pipeline["gensim_kv"]))
    binary = KeyedVectors.load_word2vec_format(str(tiny_pipeline["w2v_bin"]), binary=True)
    text = KeyedVectors.load_word2vec_format(str(tiny_pipeline["w2v_txt"]), binary=False)
    assert binary.index_to_key == text.index_to_key == kv.index_to_key
    np.testing.assert_array_equal(binary.vectors, kv.vectors)
    np.testing.assert_allclose(text.vectors, kv.vectors, atol=1e-6)
