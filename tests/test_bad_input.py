"""Bad input, class by class: each case ends as one message naming the file (and line or key) and
the fix, or as a documented normalisation that the statistics count.  None may print a traceback
or exit 0 with a wrong result.

Corpus cases run the step CLIs in-process (``run_cli``: the same code path as the shell, without
a fresh interpreter per case); config cases run ``snakemake -n`` as a user does.
"""

import codecs
import gzip
import json
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import GENSIM_DATA, one_message, sample_rows, sample_texts

from morphvec.corpus import count_documents
from morphvec.evaluation import evaluate_vectors
from morphvec.formats import read_word2vec
from morphvec.runtime import UserInputError, run_cli
from morphvec.tokenize import tokenize_corpus

REPO = Path(__file__).resolve().parents[1]


def count(capsys, path: Path, *args: str) -> str:
    return one_message(capsys, run_cli(count_documents, ["--corpus", str(path), *args]))


# --- encodings -----------------------------------------------------------------------------

KOREAN = "\n".join(sample_texts(200)) + "\n"
ENGLISH = "the quick brown fox jumps over the lazy dog\n" * 200


@pytest.mark.parametrize(
    ("text", "encoding", "bom", "named"),
    [
        (KOREAN, "utf-16-le", b"", "UTF-16LE"),
        (ENGLISH, "utf-16-le", b"", "UTF-16LE"),  # decodes as "UTF-8" with a NUL after each letter
        (KOREAN, "utf-16-be", b"", "UTF-16BE"),
        (KOREAN, "utf-16-le", codecs.BOM_UTF16_LE, "UTF-16LE"),
        (ENGLISH, "utf-32-le", codecs.BOM_UTF32_LE, "UTF-32LE"),
        (ENGLISH, "utf-32-le", b"", "UTF-32LE"),
    ],
)
def test_utf16_and_utf32_are_named_not_read_as_letters(tmp_path, capsys, text, encoding, bom, named):
    path = tmp_path / "reviews.txt"
    path.write_bytes(bom + text.encode(encoding))
    message = count(capsys, path)
    assert f"reviews.txt: not UTF-8 text; it looks like {named}" in message
    assert f"iconv -f {named} -t UTF-8" in message


def test_cp949_is_named_with_its_line(tmp_path, capsys):
    path = tmp_path / "reviews.txt"
    path.write_bytes(b"plain ascii first\n" + KOREAN.encode("cp949"))
    message = count(capsys, path)
    assert "reviews.txt: line 2: invalid UTF-8" in message and "looks like cp949" in message
    assert "iconv -f CP949" in message


def test_classic_mac_line_endings_stop_instead_of_one_document(tmp_path, capsys):
    path = tmp_path / "reviews.txt"
    path.write_bytes(KOREAN.replace("\n", "\r").encode("utf-8"))
    message = count(capsys, path)
    assert "lines end in CR only" in message and "tr '\\r' '\\n'" in message


def test_windows_line_endings_are_fine(tmp_path):
    path = tmp_path / "reviews.txt"
    path.write_bytes(KOREAN.replace("\n", "\r\n").encode("utf-8"))
    assert count_documents(path)["documents"] == 200


def test_gzip_damaged_at_the_start_is_named(tmp_path, capsys):
    data = gzip.compress(KOREAN.encode("utf-8"))
    path = tmp_path / "reviews.txt.gz"
    path.write_bytes(data[:40])
    assert "reviews.txt.gz: the gzip data is damaged" in count(capsys, path)


# --- structure -----------------------------------------------------------------------------


def _tsv(tmp_path, rows: list[str]) -> Path:
    path = tmp_path / "reviews.tsv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_tsv_row_with_an_extra_field_names_the_line(tmp_path, capsys):
    rows = sample_rows(5)
    rows[3] = rows[3] + "\t9"  # a tab inside the text: the label would come from the text
    message = count(capsys, _tsv(tmp_path, rows), "--text-column", "text", "--label-column", "rating")
    assert "reviews.tsv: line 4: 6 fields, the header 5" in message and "tab inside the text" in message


def test_tsv_row_with_a_missing_field_names_the_line(tmp_path, capsys):
    rows = sample_rows(5)
    rows[2] = "\t".join(rows[2].split("\t")[:4])
    assert "line 3: 4 fields, the header 5" in count(capsys, _tsv(tmp_path, rows), "--text-column", "text")


def test_csv_quote_that_never_closes_names_its_line(tmp_path, capsys):
    path = tmp_path / "reviews.csv"
    path.write_text('id,text\n1,good\n2,"never closed\n3,more\n4,and more\n', encoding="utf-8")
    message = count(capsys, path, "--text-column", "text")
    assert "reviews.csv: line 3: malformed CSV" in message and "close the quote" in message


def test_csv_text_after_a_closing_quote_is_an_error(tmp_path, capsys):
    path = tmp_path / "reviews.csv"
    path.write_text('id,text\n1,"quoted" and more\n', encoding="utf-8")
    assert "reviews.csv: line 2: malformed CSV" in count(capsys, path, "--text-column", "text")


@pytest.mark.parametrize(
    ("value", "kind"), [(5, "int"), (2.5, "float"), (["a", "b"], "list"), ({"t": "x"}, "dict"), (True, "bool")]
)
def test_jsonl_text_that_is_not_a_string_names_the_line(tmp_path, capsys, value, kind):
    path = tmp_path / "reviews.jsonl"
    lines = [json.dumps({"text": "좋은 영화"}), json.dumps({"text": value})]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    message = count(capsys, path)
    assert f"reviews.jsonl: line 2: field 'text' is a JSON {kind}, not a string" in message


def test_jsonl_label_that_is_an_object_names_the_line(tmp_path, capsys):
    path = tmp_path / "reviews.jsonl"
    path.write_text(json.dumps({"text": "좋다", "label": {"stars": 5}}) + "\n", encoding="utf-8")
    assert "line 1: label field 'label' is a JSON dict" in count(capsys, path, "--label-column", "label")


def test_jsonl_null_text_is_an_empty_document_counted_as_dropped(tmp_path):
    path = tmp_path / "reviews.jsonl"
    path.write_text(json.dumps({"text": None}) + "\n" + json.dumps({"text": "좋다"}) + "\n", encoding="utf-8")
    stats = tokenize_corpus(path, tmp_path / "tokens.txt", name="whitespace")
    assert stats["documents"] == 2 and stats["dropped_empty"] == 1


def test_control_characters_are_replaced_and_counted(tmp_path):
    path = tmp_path / "reviews.txt"
    path.write_text("좋은\x07영화\x1b다\nplain\x7fline\x9fend\n", encoding="utf-8")
    stats = tokenize_corpus(path, tmp_path / "tokens.txt", name="whitespace")
    assert (tmp_path / "tokens.txt").read_text(encoding="utf-8") == "좋은 영화 다\nplain line end\n"
    assert stats["cleaning"]["control_chars_replaced"] == 4


def test_corpus_given_as_its_own_output_is_refused_and_kept(tmp_path, capsys):
    path = tmp_path / "reviews.txt"
    path.write_text(KOREAN, encoding="utf-8")
    code = run_cli(tokenize_corpus, ["--corpus", str(path), "--tokens", str(path), "--name", "whitespace"])
    message = one_message(capsys, code)
    assert "--corpus and --tokens name the same file" in message
    assert path.read_text(encoding="utf-8") == KOREAN


@pytest.mark.parametrize(
    ("name", "content", "args", "expected"),
    [
        ("reviews.dat", "x\n", [], "cannot tell the format of corpus"),
        ("reviews.txt", "x\n", ["--label-column", "rating"], "a plain-text corpus has no label column"),
        ("reviews.tsv", "id\tbody\n1\tx\n", ["--text-column", "text"], "no column named 'text'"),
        ("reviews.jsonl", '{"body": "x"}\n', [], "no field 'text' in this record"),
        ("reviews.jsonl", '{"text": "x"\n', [], "line 1: not valid JSON"),
    ],
)
def test_corpus_structure_errors_name_what_to_set(tmp_path, capsys, name, content, args, expected):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert expected in count(capsys, path, *args)


def test_missing_corpus_and_directory_corpus_are_named(tmp_path, capsys):
    assert "corpus file not found" in count(capsys, tmp_path / "nope.tsv")
    assert "is a directory, not a file" in count(capsys, tmp_path)


def test_empty_token_file_is_not_trained(tmp_path, capsys):
    from morphvec.training import train_fasttext

    tokens = tmp_path / "tokens.txt"
    tokens.write_text("", encoding="utf-8")
    code = run_cli(train_fasttext, ["--tokens", str(tokens), "--model-bin", str(tmp_path / "m.bin")])
    assert "is empty: there is nothing to train on" in one_message(capsys, code)


# --- pretrained and other word2vec files ------------------------------------------------------


def _w2v_text(path: Path, rows: dict[str, list[float]]) -> Path:
    dim = len(next(iter(rows.values())))
    lines = [f"{len(rows)} {dim}"] + [f"{w} " + " ".join(repr(v) for v in vec) for w, vec in rows.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


ROWS = {"영화": [0.1, 0.2, 0.3], "배우": [0.4, 0.5, 0.6], "감독": [-0.1, 0.0, 0.9]}


def test_text_word2vec_named_bin_is_read_as_text(tmp_path):
    kv = read_word2vec(_w2v_text(tmp_path / "vectors.bin", ROWS))
    np.testing.assert_allclose(kv["배우"], ROWS["배우"], rtol=1e-6)


def test_binary_word2vec_named_txt_is_read_as_binary(tmp_path):
    kv = read_word2vec(_w2v_text(tmp_path / "vectors.txt", ROWS))
    kv.save_word2vec_format(str(tmp_path / "binary.txt"), binary=True)
    np.testing.assert_allclose(read_word2vec(tmp_path / "binary.txt")["감독"], ROWS["감독"], rtol=1e-6)


def test_explicit_binary_flag_that_contradicts_the_content_is_an_error(tmp_path):
    with pytest.raises(UserInputError, match="is text word2vec format, but binary is set to True"):
        read_word2vec(_w2v_text(tmp_path / "vectors.txt", ROWS), binary=True)


@pytest.mark.parametrize("bad", ["nan", "inf", "-inf"])
def test_nan_or_infinite_pretrained_values_name_the_word(tmp_path, bad):
    rows = {**ROWS, "배우": [0.4, float(bad), 0.6]}
    with pytest.raises(UserInputError, match=r"the vector of '배우' \(vector 2\) holds NaN or infinite values"):
        read_word2vec(_w2v_text(tmp_path / "vectors.txt", rows))


def test_header_claiming_a_billion_vectors_stops_before_allocating(tmp_path):
    path = _w2v_text(tmp_path / "vectors.txt", ROWS)
    text = path.read_text(encoding="utf-8").replace("3 3\n", "1000000000 3\n", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserInputError, match="line 1: the header claims 1,000,000,000 vectors of 3 dimensions"):
        read_word2vec(path)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("영화 0.1 0.2\n", "line 1: expected the word2vec header"),
        ("2 3\n영화 0.1 0.2 0.3\n배우 0.4 0.5\n", "cannot read it as text word2vec format"),
        ("", "line 1: expected the word2vec header"),
    ],
)
def test_malformed_word2vec_files_are_named(tmp_path, content, expected):
    path = tmp_path / "vectors.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UserInputError, match=expected):
        read_word2vec(path)


def test_truncated_binary_word2vec_is_named(tmp_path):
    kv = read_word2vec(_w2v_text(tmp_path / "vectors.txt", ROWS))
    kv.save_word2vec_format(str(tmp_path / "full.bin"), binary=True)
    data = (tmp_path / "full.bin").read_bytes()
    (tmp_path / "cut.bin").write_bytes(data[: len(data) - 10])
    with pytest.raises(UserInputError, match=r"cut\.bin: "):
        read_word2vec(tmp_path / "cut.bin")


def test_damaged_gzip_pretrained_is_named(tmp_path):
    data = gzip.compress(_w2v_text(tmp_path / "v.txt", ROWS).read_bytes() * 50)
    (tmp_path / "v.txt.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(UserInputError, match=r"v\.txt\.gz: the gzip data is damaged"):
        read_word2vec(tmp_path / "v.txt.gz")


# --- vectors files given to the evaluation CLI: pickles are code ---------------------------------


class _Exploit:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (self.marker, "owned"))


def test_gensim_pickle_is_refused_without_the_trust_flag(tmp_path, capsys):
    crafted = tmp_path / "vectors.kv"
    marker = tmp_path / "ran.txt"
    crafted.write_bytes(pickle.dumps(_Exploit(marker)))
    code = run_cli(
        evaluate_vectors, ["--vectors", str(crafted), "--similarity", f"ws={GENSIM_DATA / 'wordsim353.tsv'}"]
    )
    message = one_message(capsys, code)
    assert "is a gensim pickle" in message and "--trust-pickle" in message
    assert not marker.exists()  # nothing was unpickled


def test_trusted_gensim_file_is_scored(tmp_path, tiny_pipeline):
    scores = evaluate_vectors(tiny_pipeline["gensim_kv"], trust_pickle=True, similarity={}, analogy={}, probe_words=[])
    assert scores["similarity"] == {}


def test_similarity_file_errors_name_the_row(tmp_path):
    from morphvec.evaluation import read_similarity_pairs

    path = tmp_path / "pairs.csv"
    path.write_text("word1,word2,score\n영화,배우,high\n", encoding="utf-8")
    with pytest.raises(UserInputError, match=r"pairs\.csv"):
        read_similarity_pairs(path)
    with pytest.raises(UserInputError, match="similarity file not found"):
        read_similarity_pairs(tmp_path / "nope.csv")


def test_analogy_line_without_four_words_names_the_line(tmp_path):
    from morphvec.evaluation import read_analogy_questions

    path = tmp_path / "questions.txt"
    path.write_text(": family\n왕 왕비 남자 여자\n왕 왕비 남자\n", encoding="utf-8")
    with pytest.raises(UserInputError, match="line 3"):
        read_analogy_questions(path)


# --- config --------------------------------------------------------------------------------


def _snakemake_dry_run(workdir: Path, config: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile")]
    command += ["--directory", str(workdir), "--configfile", str(config), "--cores", "1", "-n"]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _run_config(tmp_path: Path, **fasttext) -> dict:
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(ENGLISH, encoding="utf-8")
    return {
        "runs": {"en": {"corpus": {"path": str(corpus)}, "tokenizer": {"name": "whitespace"}, "fasttext": fasttext}}
    }


@pytest.mark.parametrize(
    ("fasttext", "expected"),
    [
        ({"bucket": 0}, "runs.en.fasttext.bucket: 0 leaves n-grams of 3-6 characters nowhere to go"),
        ({"minn": 5, "maxn": 4}, "runs.en.fasttext.minn: 5 is above maxn: 4"),
    ],
)
def test_fasttext_settings_that_cannot_train_are_config_errors(tmp_path, fasttext, expected):
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(_run_config(tmp_path, **fasttext)), encoding="utf-8")
    result = _snakemake_dry_run(tmp_path, config)
    assert result.returncode != 0 and expected in result.stderr and "fix:" in result.stderr
    assert "Traceback" not in result.stderr and 'File "' not in result.stderr


def test_run_name_given_twice_is_an_error_with_both_lines(tmp_path):
    config = tmp_path / "config.yaml"
    run = "    corpus: {path: corpus.txt}\n"
    config.write_text(f"runs:\n  a:\n{run}  a:\n{run}", encoding="utf-8")
    result = _snakemake_dry_run(tmp_path, config)
    assert result.returncode != 0
    assert "line 4, column 3: the key 'a' is given twice (lines 2 and 4)" in result.stderr


@pytest.mark.parametrize(
    ("content", "said"),
    [("{}\n", "defines no runs"), ("runs: {}\n", "defines no runs"), ("runs:\n", "defines no runs"),
     ("other: 1\n", "line 1: unknown key 'other' at the top level")],
)  # fmt: skip
def test_config_without_runs_does_not_run_the_bundled_default(tmp_path, content, said):
    config = tmp_path / "config.yaml"
    config.write_text(content, encoding="utf-8")
    result = _snakemake_dry_run(tmp_path, config)
    assert result.returncode != 0 and said in result.stderr
    assert "nsmc_sample" not in result.stdout + result.stderr


def test_empty_config_file_is_refused(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("", encoding="utf-8")
    result = _snakemake_dry_run(tmp_path, config)
    assert result.returncode != 0 and "nsmc_sample" not in result.stdout + result.stderr


def test_yaml_syntax_error_names_file_line_and_column(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("runs:\n  en:\n    corpus: {path: corpus.txt\n    tokenizer: {}\n", encoding="utf-8")
    command = [sys.executable, "-m", "morphvec.schema", str(config)]
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO / "scripts")
    assert result.returncode == 2
    assert f"error: config file {config}: line 4, column" in result.stderr


def test_missing_input_named_in_the_config_stops_a_dry_run(tmp_path):
    config_data = _run_config(tmp_path)
    config_data["runs"]["en"]["corpus"]["path"] = str(tmp_path / "gone.txt")
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(config_data), encoding="utf-8")
    result = _snakemake_dry_run(tmp_path, config)
    assert result.returncode != 0
    assert f"runs.en.corpus.path: {tmp_path / 'gone.txt'} does not exist" in result.stderr


# --- I/O failures and training faults --------------------------------------------------------


def _limit_file_size():
    import resource

    resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, 40_000))


def test_train_without_vec_on_a_full_disk_leaves_no_model(tmp_path):
    out = tmp_path / "out"
    command = [
        sys.executable,
        str(REPO / "scripts" / "train_fasttext.py"),
        "--tokens",
        str(GENSIM_DATA / "lee_background.cor"),
    ]
    command += ["--model-bin", str(out / "model.bin"), "--dim", "8", "--bucket", "2000", "--epoch", "1"]
    result = subprocess.run(command, capture_output=True, text=True, check=False, preexec_fn=_limit_file_size)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{out / 'model.bin'}: fastText wrote 40,000 of" in result.stderr
    assert not out.exists() or list(out.iterdir()) == []  # no truncated model.bin renamed into place


def test_tiny_matrix_trains_deterministically_without_nan(tmp_path):
    from morphvec.training import train_fasttext

    settings = {"dim": 4, "bucket": 50, "epoch": 1, "minCount": 1, "thread": 1}
    first = train_fasttext(GENSIM_DATA / "lee_background.cor", tmp_path / "a.bin", fasttext=settings)
    train_fasttext(GENSIM_DATA / "lee_background.cor", tmp_path / "b.bin", fasttext=settings)
    assert first["zero_ngram_rows"]["after_fix"] == 0
    assert (tmp_path / "a.bin").read_bytes() == (tmp_path / "b.bin").read_bytes()


def test_token_file_that_is_not_utf8_names_the_line(tmp_path, capsys):
    from morphvec.training import train_fasttext

    tokens = tmp_path / "tokens.txt"
    tokens.write_bytes(b"good words here\nprice \xa35 only\n")
    code = run_cli(train_fasttext, ["--tokens", str(tokens), "--model-bin", str(tmp_path / "m.bin")])
    assert "tokens.txt: line 2: invalid UTF-8" in one_message(capsys, code)


# --- export files given to the torch loader -----------------------------------------------------


@pytest.mark.parametrize(
    "settings", ['{"max_n": 6, "bucket": 10}', "not json", '{"min_n": "three", "max_n": 6, "bucket": 10}']
)
def test_damaged_export_metadata_is_a_value_error_naming_the_file(tmp_path, settings):
    import torch
    from safetensors.torch import save_file

    from morphvec.fasttext_torch import FORMAT, FastTextEmbedding

    tensors = {"word_vectors": torch.zeros(2, 4), "ngram_vectors": torch.zeros(10, 4)}
    save_file(tensors, tmp_path / "embeddings.safetensors", metadata={"format": FORMAT, "ngram_settings": settings})
    (tmp_path / "vocab.txt").write_text("영화\n배우\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"embeddings\.safetensors"):
        FastTextEmbedding.load(tmp_path)


# --- evaluation files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "bom", "named"),
    [("utf-16-le", b"", "UTF-16LE"), ("utf-16-le", codecs.BOM_UTF16_LE, "UTF-16LE"), ("cp949", b"", "CP949")],
)
def test_evaluation_files_in_another_encoding_are_named(tmp_path, encoding, bom, named):
    from morphvec.evaluation import read_analogy_questions, read_similarity_pairs

    pairs = tmp_path / "pairs.csv"
    pairs.write_bytes(bom + "word1,word2,score\n영화,배우,7.5\n사랑,미움,2.0\n".encode(encoding))
    with pytest.raises(UserInputError, match=f"not UTF-8 text; it looks like {named}"):
        read_similarity_pairs(pairs)
    questions = tmp_path / "questions.txt"
    questions.write_bytes(bom + ": family\n왕 왕비 남자 여자\n".encode(encoding))
    with pytest.raises(UserInputError, match=f"not UTF-8 text; it looks like {named}"):
        read_analogy_questions(questions)


def test_similarity_score_that_is_not_finite_names_the_row(tmp_path):
    from morphvec.evaluation import read_similarity_pairs

    pairs = tmp_path / "pairs.csv"
    pairs.write_text("영화,배우,7.5\n사랑,미움,nan\n", encoding="utf-8")
    with pytest.raises(UserInputError, match="row 2: the score 'nan' is not finite"):
        read_similarity_pairs(pairs)


@pytest.fixture(params=["cut", "header", "foreign"])
def damaged_export(request, tiny_pipeline, tmp_path):
    """A copy of the torch export whose weights were cut by a failed copy, whose header is garbage,
    or which is some other safetensors file."""
    import shutil

    from safetensors.numpy import save_file

    export = tmp_path / "export"
    shutil.copytree(tiny_pipeline["torch_dir"], export)
    weights = export / "embeddings.safetensors"
    if request.param == "cut":
        weights.write_bytes(weights.read_bytes()[:5000])
    elif request.param == "header":
        weights.write_bytes(b"\xff" * 64)
    else:
        save_file({"x": np.zeros((2, 2), dtype=np.float32)}, weights)
    return export


@pytest.mark.parametrize("tool", ["evaluate", "query"])
def test_a_damaged_export_is_named_by_every_tool_that_opens_one(damaged_export, tool, capsys):
    from morphvec.query import query_vectors

    if tool == "evaluate":
        code = run_cli(evaluate_vectors, ["--vectors", str(damaged_export), "--probe-words", "영화"])
    else:
        code = run_cli(query_vectors, ["--vectors", str(damaged_export), "--neighbours", "영화"])
    message = one_message(capsys, code)
    assert f"{damaged_export / 'embeddings.safetensors'}" in message and "\n  fix: " in message
    assert "internal error" not in message


@pytest.mark.parametrize(("counted", "said"), [(12, "has 10"), (8, "has more")], ids=["fewer", "more"])
def test_a_document_count_that_does_not_match_the_corpus_stops_the_shard(tmp_path, counted, said, capsys):
    """A shard used to tokenize 0 documents, or the last one to stop early, without a word."""
    corpus = tmp_path / "reviews.tsv"
    corpus.write_text("\n".join(sample_rows(10)) + "\n", encoding="utf-8")
    documents = tmp_path / "documents.json"
    documents.write_text(json.dumps({"documents": counted}), encoding="utf-8")
    argv = ["--corpus", str(corpus), "--tokens", str(tmp_path / "t.txt"), "--documents", str(documents)]
    code = run_cli(tokenize_corpus, [*argv, "--shard", "1", "--shards", "2", "--name", "whitespace"])
    message = one_message(capsys, code)
    assert f"{documents}: the document count says {counted} documents, but the corpus {said}" in message
    assert not (tmp_path / "t.txt").exists()  # nothing half-made looks finished


def test_a_top_level_typo_is_named(tmp_path):
    from morphvec.schema import config_file_problem

    config = tmp_path / "my.yaml"
    config.write_text("run:\n  r:\n    corpus: {path: c.txt}\n", encoding="utf-8")
    problem = config_file_problem(config)
    assert problem.startswith(f"config file {config}: line 1: unknown key 'run'") and "runs:" in problem


def test_a_damaged_export_is_named_by_the_report(tiny_pipeline, tmp_path, capsys):
    import shutil

    from morphvec.report import write_report

    run_dir = tmp_path / "ko_tiny"
    shutil.copytree(tiny_pipeline["metrics"].parents[1], run_dir, ignore=shutil.ignore_patterns("package"))
    weights = run_dir / "export_torch/embeddings.safetensors"
    weights.write_bytes(weights.read_bytes()[:5000])
    code = run_cli(write_report, ["--run-dir", str(run_dir)])
    message = one_message(capsys, code)
    assert f"{weights}: not a readable safetensors file" in message


def test_a_directory_that_is_not_a_torch_export_is_named(tiny_pipeline, capsys):
    """The static export (or a run directory) given as --vectors: said what it is and what opens it."""
    from morphvec.query import query_vectors

    static = tiny_pipeline["static_weights"].parent
    message = one_message(capsys, run_cli(query_vectors, ["--vectors", str(static), "--neighbours", "영화"]))
    assert f"{static} is not a torch export (it has no embeddings.safetensors)" in message
    assert "sentence-transformers and model2vec" in message


def test_packaging_a_directory_that_is_not_a_finished_run_is_one_message(tmp_path, capsys):
    from morphvec.package import package_model

    code = run_cli(package_model, ["--run-dir", str(tmp_path / "nothing"), "--package", str(tmp_path / "out")])
    assert "it is not a finished run" in one_message(capsys, code)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"\xff\xfe{\x00", "byte 0: not UTF-8 text"),  # UTF-16, or any binary file
        (gzip.compress(b'{"run": "a"}'), "not UTF-8 text"),  # a compressed copy
        (b"[1, 2]", "not a run's metrics.json"),  # JSON of another shape
        (b'{"words": 3, "seconds": 1.0}', "not a run's metrics.json"),  # another step's stats.json
    ],
)
def test_summarizing_a_file_that_is_not_a_runs_metrics_is_one_message(tmp_path, capsys, content, said):
    from morphvec.summary import summarize_runs

    metrics = tmp_path / "metrics.json"
    metrics.write_bytes(content)
    out = ["--summary-tsv", str(tmp_path / "s.tsv"), "--summary-html", str(tmp_path / "s.html")]
    err = one_message(capsys, run_cli(summarize_runs, ["--metrics", str(metrics), *out]))
    assert said in err and str(metrics) in err and "fix:" in err
    assert not (tmp_path / "s.tsv").exists()


def test_summarizing_with_a_directory_for_the_torch_weights_is_one_message(tmp_path, capsys):
    from morphvec.summary import summarize_runs

    metrics = tmp_path / "metrics.json"
    quality = {"similarity": {}, "analogy": {}}
    metrics.write_text(json.dumps({"run": "r", "quality": quality, "corpus": {}, "parity": {}}), encoding="utf-8")
    out = ["--summary-tsv", str(tmp_path / "s.tsv"), "--summary-html", str(tmp_path / "s.html")]
    code = run_cli(summarize_runs, ["--metrics", str(metrics), "--torch-weights", str(tmp_path), *out])
    err = one_message(capsys, code)
    assert "is a directory, not a file" in err and "embeddings.safetensors" in err  # not the directory's 4096 bytes
