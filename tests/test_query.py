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
    argv += ["--neighbours", "영화를", "--content-only", "--tokenizer", "mecab", "--topn", "5", "--json"]
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


def morphvec_query(*args: str, stdin: str | None = None):
    import os
    import subprocess
    import sys
    from pathlib import Path

    command = [str(Path(sys.executable).parent / "morphvec"), "query", *args]
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run(command, input=stdin, capture_output=True, text=True, env=env, check=False)


def test_the_table_answers_in_the_order_asked(tiny_pipeline):
    run_dir = str(tiny_pipeline["torch_dir"].parent)
    done = morphvec_query("--run-dir", run_dir, "--neighbours", "영화", "배우", "감독", "--topn", "3")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    headers = [line for line in lines if line.startswith("neighbours of")]
    assert headers == ["neighbours of 영화:", "neighbours of 배우:", "neighbours of 감독:"]  # not sorted
    rows = [line.split() for line in lines if not line.startswith("neighbours")]
    assert len(rows) == 9 and all(row[0] in "123" and len(row[-1].split(".")[1]) == 3 for row in rows)


def test_a_bin_query_prints_the_answer_without_gensims_info_lines(tiny_pipeline):
    done = morphvec_query("--vectors", str(tiny_pipeline["model_bin"]), "--neighbours", "영화", "--topn", "2")
    assert done.returncode == 0 and done.stdout.startswith("neighbours of 영화:")
    assert "INFO gensim" not in done.stderr


def test_json_keeps_the_order_and_run_dir_alone_picks_the_torch_export(tiny_pipeline):
    run_dir = tiny_pipeline["torch_dir"].parent
    done = morphvec_query("--run-dir", str(run_dir), "--neighbours", "영화", "배우", "--json", "--topn", "2")
    result = json.loads(done.stdout)
    assert list(result["neighbours"]) == ["영화", "배우"]
    assert result["vectors"] == str(tiny_pipeline["torch_weights"])


def test_interactive_mode_answers_line_by_line(tiny_pipeline):
    lines = "영화 배우\n배우 - 영화 + 드라마\n영화:배우\n--neighbours 감독 --topn 2\n--topn 0 --neighbours 영화\nquit\n"
    done = morphvec_query(
        "--run-dir", str(tiny_pipeline["torch_dir"].parent), "--interactive", "--topn", "3", stdin=lines
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for header in (
        "neighbours of 영화:",
        "neighbours of 배우:",
        "analogy 배우 - 영화 + 드라마:",
        "similarity 영화:배우",
    ):
        assert header in out
    assert out.count("\n    1  ") == 4  # four ranked answers; then --topn 0 is an error, not the end
    assert "error: --topn 0: at least 1" in out


def test_a_neighbour_query_on_the_torch_export_imports_neither_torch_nor_gensim(tiny_pipeline):
    import subprocess
    import sys

    code = (
        "import sys\nfrom morphvec.query import query_vectors\n"
        f"query_vectors({str(tiny_pipeline['torch_dir'])!r}, neighbours=['영화'])\n"
        "print(sorted(m for m in ('torch', 'gensim', 'fasttext') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_numpy_reader_gives_the_torch_loaders_vectors(tiny_pipeline, workflow_run):
    from morphvec.fasttext_torch import COMPACT_FORMAT, FORMAT, FastTextEmbedding
    from morphvec.formats import EXPORT_FORMATS, NumpyExport

    assert EXPORT_FORMATS == {"full": FORMAT, "compact": COMPACT_FORMAT}
    words = ["영화", "배우", "처음보는말뭉치", "굵직한지혜들", "zzqxj"]
    for directory in (tiny_pipeline["torch_dir"], workflow_run / "results/ko_tiny/compress_vectors/small"):
        reader, loader = NumpyExport(directory), FastTextEmbedding.load(directory)
        ours = np.stack([reader.get_vector(w) for w in words])
        assert np.abs(ours - loader.word_vectors(words).numpy()).max() <= 1e-6


def test_help_gives_every_option_a_text_and_the_choices(capsys):
    from morphvec.cli import build_parser

    parser = build_parser(query_vectors)
    for action in parser._actions:
        assert action.help, action.dest
    text = " ".join(parser.format_help().split())
    assert "--space {in,in-out}" in text and "--format {auto,fasttext,gensim,word2vec,word2vec-binary,torch}" in text
