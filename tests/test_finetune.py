import gzip
import json

import numpy as np
import pytest
from gensim.models import KeyedVectors, Word2Vec

from morphvec.finetune import _build_model as build_model
from morphvec.finetune import finetune_word2vec, intersect_pretrained, load_pretrained
from morphvec.runtime import UserInputError

SETTINGS = {"min_count": 2, "epochs": 3, "workers": 1, "seed": 1, "sample": 0.0}


@pytest.fixture(scope="module")
def tokens(tmp_path_factory):
    path = tmp_path_factory.mktemp("w2v") / "tokens.txt"
    words = [
        "the",
        "movie",
        "was",
        "good",
        "the",
        "actor",
        "was",
        "great",
        "the",
        "story",
        "was",
        "bad",
        "a",
        "film",
        "is",
        "fine",
    ]
    rng = np.random.default_rng(0)
    lines = [" ".join(rng.choice(words, size=12)) for _ in range(300)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory):
    """A small pretrained set: 4 words shared with the corpus, 2 not, 8 dimensions."""
    kv = KeyedVectors(vector_size=8)
    words = ["movie", "actor", "story", "film", "unrelated", "zebra"]
    kv.add_vectors(words, np.arange(48, dtype=np.float32).reshape(6, 8) / 10)
    root = tmp_path_factory.mktemp("pretrained")
    paths = {"txt": root / "vectors.txt", "bin": root / "vectors.bin"}
    kv.save_word2vec_format(str(paths["txt"]), binary=False)
    kv.save_word2vec_format(str(paths["bin"]), binary=True)
    paths["bin.gz"] = root / "vectors.bin.gz"
    paths["bin.gz"].write_bytes(gzip.compress(paths["bin"].read_bytes()))
    return kv, paths


@pytest.mark.parametrize("flavour", ["txt", "bin", "bin.gz"])
def test_reads_text_binary_and_gzip_under_numpy_2(pretrained, flavour):
    kv, paths = pretrained
    loaded = load_pretrained(paths[flavour])
    assert loaded.index_to_key == kv.index_to_key
    np.testing.assert_allclose(loaded.vectors, kv.vectors, atol=1e-6)
    assert len(load_pretrained(paths[flavour], limit=2)) == 2


def test_intersected_words_carry_pretrained_values_before_training(tokens, pretrained):
    kv, paths = pretrained
    model = build_model(tokens, 8, SETTINGS)
    indices = intersect_pretrained(model, load_pretrained(paths["bin"]), lockf=0.5)
    shared = sorted(model.wv.index_to_key[i] for i in indices)
    assert shared == ["actor", "film", "movie", "story"]
    for word in shared:
        np.testing.assert_array_equal(model.wv[word], kv[word])
    # gensim#3094: one lockf per vocabulary word, the chosen value for the pretrained ones.
    assert model.wv.vectors_lockf.shape == (len(model.wv),)
    assert sorted(set(model.wv.vectors_lockf[indices].tolist())) == [0.5]
    assert model.wv.vectors_lockf.sum() == pytest.approx(len(model.wv) - 0.5 * len(indices))


def test_lockf_zero_freezes_pretrained_words_and_one_trains_them(tmp_path, tokens, pretrained):
    kv, paths = pretrained
    frozen = finetune_word2vec(tokens, paths["txt"], tmp_path / "f.model", lockf=0.0, **SETTINGS)
    trained = finetune_word2vec(tokens, paths["txt"], tmp_path / "t.model", tmp_path / "t.json", **SETTINGS)
    frozen_model, trained_model = Word2Vec.load(str(tmp_path / "f.model")), Word2Vec.load(str(tmp_path / "t.model"))
    np.testing.assert_array_equal(frozen_model.wv["movie"], kv["movie"])
    assert frozen["movement"]["l2_max"] == 0.0
    assert not np.array_equal(trained_model.wv["movie"], kv["movie"])
    assert trained["movement"]["l2_mean"] > 0
    stats = json.loads((tmp_path / "t.json").read_text())
    assert stats["initialised_from_pretrained"] == 4
    assert stats["pretrained_words_read"] == 6


def test_dimension_mismatch_is_a_clear_error(tmp_path, tokens, pretrained):
    _, paths = pretrained
    with pytest.raises(UserInputError, match=r"vector_size is 50 but .* has 8-dimensional vectors"):
        finetune_word2vec(tokens, paths["txt"], tmp_path / "m.model", vector_size=50, **SETTINGS)


def test_missing_or_unreadable_file_is_a_clear_error(tmp_path, tokens, pretrained):
    _, paths = pretrained
    with pytest.raises(UserInputError, match="pretrained vectors file not found"):
        finetune_word2vec(tokens, tmp_path / "nope.bin", tmp_path / "m.model", **SETTINGS)
    with pytest.raises(UserInputError, match="is binary word2vec format, but binary is set to False"):
        load_pretrained(paths["bin"], binary=False)
