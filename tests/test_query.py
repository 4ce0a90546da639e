"""The query tool: neighbours, analogies and similarity on every vector format, in both spaces.

The known answers come from fastText itself (``get_nearest_neighbors``, ``get_analogies``) and,
for the IN-OUT space, from numpy over fastText's own input and output matrices.
"""

import json

import numpy as np
import pytest

from morphvec.query import parse_expression, query_vectors
from morphvec.runtime import UserInputError, run_cli
from morphvec.tokenizers import is_content_tag

WORD = "영화"


def formats(tiny_pipeline):
    """Every vector format of the tiny run (path, extra options)."""
    return {
        "fasttext": (tiny_pipeline["model_bin"], {}),
        "torch": (tiny_pipeline["torch_dir"], {}),
        "word2vec": (tiny_pipeline["w2v_txt"], {}),
        "word2vec-binary": (tiny_pipeline["w2v_bin"], {}),
        "gensim": (
            tiny_pipeline["gensim_kv"],
            {"trust_pickle": True, "output_vectors": tiny_pipeline["output_vectors"]},
        ),
    }


@pytest.fixture(scope="module")
def expected(tiny_pipeline):
    import fasttext

    model = fasttext.load_model(str(tiny_pipeline["model_bin"]))
    words = model.words
    inputs = np.stack([model.get_word_vector(w) for w in words])
    outputs = model.get_output_matrix()
    query = inputs[words.index(WORD)] / np.linalg.norm(inputs[words.index(WORD)])
    in_out = (outputs / np.linalg.norm(outputs, axis=1, keepdims=True)) @ query
    order = [words[i] for i in np.argsort(-in_out) if words[i] != WORD]
    return {
        "in": model.get_nearest_neighbors(WORD, k=1)[0][1],
        "in-out": order[0],
        "analogy": model.get_analogies("배우", "영화", "드라마", k=1)[0][1],  # 배우 - 영화 + 드라마
    }


@pytest.mark.parametrize("fmt", ["fasttext", "torch", "word2vec", "word2vec-binary", "gensim"])
@pytest.mark.parametrize("space", ["in", "in-out"])
def test_known_neighbour_in_every_format_and_space(tiny_pipeline, expected, fmt, space):
    path, options = formats(tiny_pipeline)[fmt]
    result = query_vectors(path, neighbours=[WORD], analogy=["배우 - 영화 + 드라마"], space=space, topn=3, **options)
    assert result["neighbours"][WORD][0][0] == expected[space]
    assert result["analogy"]["배우 - 영화 + 드라마"][0][0] == expected["analogy"]


def test_similarity_in_both_spaces_matches_fasttext(tiny_pipeline):
    import fasttext

    model = fasttext.load_model(str(tiny_pipeline["model_bin"]))
    a, b = model.get_word_vector("영화"), model.get_word_vector("배우")
    output = model.get_output_matrix()[model.get_word_id("배우")]
    result = query_vectors(tiny_pipeline["torch_dir"], similarity=["영화:배우"])
    assert result["similarity"]["영화:배우"] == pytest.approx(a @ b / np.linalg.norm(a) / np.linalg.norm(b), abs=1e-4)
    result = query_vectors(tiny_pipeline["torch_dir"], similarity=["영화:배우"], space="in-out")
    in_out = a @ output / np.linalg.norm(a) / np.linalg.norm(output)
    assert result["similarity"]["영화:배우"] == pytest.approx(in_out, abs=1e-4)


def test_cli_filters_content_words_and_analyses_eojeol(tiny_pipeline, capsys):
    argv = ["--vectors", str(tiny_pipeline["model_bin"]), "--run-dir", str(tiny_pipeline["torch_dir"].parent)]
    argv += ["--neighbours", "영화를", "--content-only", "--tokenizer", "mecab", "--topn", "5"]
    assert run_cli(query_vectors, argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["morphemes"] == {"영화를": ["영화", "를"]}
    from morphvec.corpus import read_token_tags

    tags = read_token_tags(tiny_pipeline["token_counts"])
    found = [word for word, _ in result["neighbours"]["영화를"]]
    assert len(found) == 5 and all(is_content_tag(tags[w]) for w in found)
    assert not any(tags[w].startswith(("J", "E", "S")) for w in found)  # no particles, endings, symbols


def test_in_out_without_output_vectors_and_bad_requests_are_named(tiny_pipeline, capsys):
    argv = ["--vectors", str(tiny_pipeline["w2v_txt"]), "--neighbours", WORD, "--space", "in-out"]
    argv += ["--output-vectors", str(tiny_pipeline["tokens"])]  # not an .npy
    assert run_cli(query_vectors, argv) == 2
    assert "Traceback" not in capsys.readouterr().err
    with pytest.raises(UserInputError, match="content-word filter needs tags"):
        query_vectors(tiny_pipeline["w2v_txt"], neighbours=[WORD], content_only=True)
    with pytest.raises(UserInputError, match="nothing to ask"):
        query_vectors(tiny_pipeline["w2v_txt"])
    with pytest.raises(UserInputError, match="cannot read the analogy"):
        query_vectors(tiny_pipeline["w2v_txt"], analogy=["왕 - - 남자"])


def test_content_tags_of_both_tagging_tokenizers():
    assert all(is_content_tag(t) for t in ("NNG", "VV+EP", "VA-I", "VV-R", "XR", "SL"))
    assert not any(is_content_tag(t) for t in ("JKS", "EF", "XSA-I", "SF", "", None))


def test_expressions():
    assert parse_expression("왕 - 남자 + 여자") == (["왕", "여자"], ["남자"])
    assert parse_expression("왕-남자+여자") == (["왕", "여자"], ["남자"])
    assert parse_expression("배우 + 영화") == (["배우", "영화"], [])


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        ({"neighbours": ["영화"], "topn": 0}, "--topn 0: at least 1"),
        ({"neighbours": ["영화"], "topn": -3}, "--topn -3: at least 1"),
        ({"neighbours": [""]}, "an empty word"),
        ({"analogy": ["영화"]}, "has one word"),
    ],
    ids=["topn-0", "topn-negative", "empty-word", "one-word-analogy"],
)
def test_a_request_that_cannot_be_answered_is_an_error(tiny_pipeline, request_, expected):
    """These were accepted and ignored or answered with nonsense (neighbours of '' at 0.0)."""
    with pytest.raises(UserInputError, match=expected):
        query_vectors(tiny_pipeline["torch_dir"], **request_)
