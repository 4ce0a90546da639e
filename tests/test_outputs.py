"""Nothing lost, ever: every writer replaces only what morphvec wrote (morphvec.outputs), a child
process fails as one message, and the card's metadata is what the hub accepts.

Each case checks that the user's bytes are still there afterwards.  The package cases run
``morphvec package`` in-process on the tiny run (``run_cli``: the shell's code path)."""

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO, one_message, sample_rows

from morphvec import outputs, runtime
from morphvec.package import package_model
from morphvec.runtime import UserInputError, run_cli
from morphvec.schema import default_of, run_schema
from morphvec.tokenize import tokenize_corpus

TRAIN = [sys.executable, str(REPO / "scripts" / "train_fasttext.py")]
USER_BYTES = b"my thesis draft, not a morphvec output\n"


@pytest.fixture
def run_dir(tiny_pipeline) -> Path:
    return tiny_pipeline["manifest"].parent


def package(capsys, run_dir: Path, into: Path, *options: str) -> tuple[int, str]:
    code = run_cli(package_model, ["--run-dir", str(run_dir), "--package", str(into), *options])
    return code, capsys.readouterr().err


def users_folder(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / "draft.txt").write_bytes(USER_BYTES)
    return path


def run_is_whole(run_dir: Path) -> bool:
    return all((run_dir / relative).is_file() for relative in ("ro-crate-metadata.json", "report/metrics.json"))


# --- morphvec package ---------------------------------------------------------------------------


def test_package_refuses_a_folder_of_the_users_and_replaces_it_only_with_force(capsys, run_dir, tmp_path):
    into = users_folder(tmp_path / "mine")
    code, err = package(capsys, run_dir, into)
    assert code == 2 and "Traceback" not in err
    assert f"{into}: it is a directory that holds files morphvec did not write" in err and "--force" in err
    assert (into / "draft.txt").read_bytes() == USER_BYTES

    code, err = package(capsys, run_dir, into, "--force")
    assert code == 0, err
    assert (into / "README.md").is_file() and not (into / "draft.txt").exists()


def test_package_refuses_a_file_where_the_folder_goes(capsys, run_dir, tmp_path):
    into = tmp_path / "notes.txt"
    into.write_bytes(USER_BYTES)
    code, err = package(capsys, run_dir, into)
    assert code == 2 and "it is a file where a directory goes" in err
    assert into.read_bytes() == USER_BYTES


@pytest.mark.parametrize("where", ["run", "results", "step", "home"])
def test_package_never_replaces_the_runs_results_or_home_even_with_force(capsys, run_dir, where, monkeypatch):
    into = {"run": run_dir, "results": run_dir.parent, "step": run_dir / "report"}.get(where)
    if where == "home":
        monkeypatch.setenv("HOME", str(run_dir.parents[2]))  # a home that holds the test's runs
        into = Path.home()
    before = sorted(p.name for p in into.iterdir())
    for force in ([], ["--force"]):
        code, err = package(capsys, run_dir, into, *force)
        assert code == 2 and "Traceback" not in err, err
        assert "--force" not in err.split("fix:")[1]  # it would not help: the message does not offer it
    assert sorted(p.name for p in into.iterdir()) == before
    assert run_is_whole(run_dir)


def test_package_through_a_link_into_the_run_leaves_the_run_whole(capsys, run_dir, tmp_path):
    link = tmp_path / "latest"
    link.symlink_to(run_dir)
    code, err = package(capsys, run_dir, link)
    assert code == 2 and "it is a symbolic link" in err
    code, err = package(capsys, run_dir, link, "--force")  # replaces the link itself, never what it names
    assert code == 0, err
    assert not link.is_symlink() and (link / "README.md").is_file()
    assert run_is_whole(run_dir)


def test_package_replaces_its_own_folder_but_not_once_you_edited_it(capsys, run_dir, tmp_path):
    into = tmp_path / "pkg"
    assert package(capsys, run_dir, into)[0] == 0
    assert package(capsys, run_dir, into)[0] == 0  # its own, unchanged: replaced without --force
    (into / "README.md").write_text("my edited card\n", encoding="utf-8")
    code, err = package(capsys, run_dir, into)
    assert code == 2 and "did not write (or that were changed since)" in err
    assert (into / "README.md").read_text(encoding="utf-8") == "my edited card\n"


def test_package_into_a_read_only_folder_is_one_message(capsys, run_dir, tmp_path):
    parent = tmp_path / "locked"
    users_folder(parent / "inner")
    done = subprocess.run(["chattr", "+i", str(parent)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"chattr +i is not available here: {done.stderr.decode().strip()}")
    try:  # immutable: not even root may add the new folder beside the old one
        code, err = package(capsys, run_dir, parent / "pkg")
        assert code == 2 and "Traceback" not in err and "permissions" in err
        code, err = package(capsys, run_dir, parent / "inner", "--force")
        assert code == 2 and "Traceback" not in err
        assert (parent / "inner" / "draft.txt").read_bytes() == USER_BYTES
    finally:
        subprocess.run(["chattr", "-i", str(parent)], check=True)


def test_an_interrupted_replacement_leaves_the_old_folder_or_the_new_one(tmp_path, monkeypatch):
    target = tmp_path / "out"

    def write(content: str) -> None:
        with runtime.atomic_dir(target) as tmp:
            (Path(tmp) / "file.txt").write_text(content, encoding="utf-8")

    write("old")
    with pytest.raises(KeyboardInterrupt), runtime.atomic_dir(target) as tmp:  # killed while writing
        (Path(tmp) / "file.txt").write_text("half", encoding="utf-8")
        raise KeyboardInterrupt
    assert (target / "file.txt").read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["out"]

    def killed(path):
        raise KeyboardInterrupt

    monkeypatch.setattr(outputs, "_remove", killed)
    with pytest.raises(KeyboardInterrupt):  # killed after the swap, while removing the old folder
        write("new")
    assert (target / "file.txt").read_text() == "new"
    monkeypatch.undo()
    write("newer")  # the old folder, left as a temporary, goes with the next write
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]

    monkeypatch.setattr(outputs, "_exchange", lambda new, path: False)  # a file system without the swap
    real_replace = os.replace

    def killed_after_the_first_rename(source, destination):
        real_replace(source, destination)
        if str(destination).endswith(".moved-aside"):
            raise KeyboardInterrupt

    monkeypatch.setattr(outputs.os, "replace", killed_after_the_first_rename)
    with pytest.raises(KeyboardInterrupt):
        write("newest")
    assert not target.exists()  # between the two renames: the old folder is aside, not gone
    monkeypatch.undo()
    outputs.restore_replaced(target)
    assert (target / "file.txt").read_text() == "newer"


# --- every other writer -------------------------------------------------------------------------


@pytest.fixture
def corpus(tmp_path) -> Path:
    path = tmp_path / "reviews.tsv"
    path.write_text("\n".join(sample_rows(200)) + "\n", encoding="utf-8")
    return path


def test_a_step_replaces_its_own_output_but_not_a_users_file(capsys, corpus, tmp_path):
    tokens = tmp_path / "tokens.txt"
    argv = ["--corpus", str(corpus), "--tokens", str(tokens), "--name", "whitespace"]
    assert run_cli(tokenize_corpus, argv) == 0
    assert run_cli(tokenize_corpus, argv) == 0  # its own output: written again
    tokens.write_bytes(USER_BYTES)  # now the user's
    err = one_message(capsys, run_cli(tokenize_corpus, argv))
    assert f"{tokens}: the file exists and morphvec did not write it" in err and "--force" in err
    assert tokens.read_bytes() == USER_BYTES
    assert run_cli(tokenize_corpus, [*argv, "--force"]) == 0
    assert tokens.read_bytes() != USER_BYTES


def test_log_never_appends_to_a_users_file(capsys, corpus, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_bytes(USER_BYTES)
    argv = ["--corpus", str(corpus), "--tokens", str(tmp_path / "t.txt"), "--name", "whitespace", "--log", str(notes)]
    err = one_message(capsys, run_cli(tokenize_corpus, argv))
    assert err.startswith(f"error: --log {notes}") and notes.read_bytes() == USER_BYTES
    log = tmp_path / "tokenize.log"
    argv[-1] = str(log)
    assert run_cli(tokenize_corpus, argv) == 0
    assert run_cli(tokenize_corpus, [*argv, "--force"]) == 0  # its own log: appended to
    assert log.read_text(encoding="utf-8").count("tokenized") >= 2


def test_summary_refuses_a_users_file(capsys, tiny_pipeline, tmp_path):
    from morphvec.summary import summarize_runs

    page = tmp_path / "summary.html"
    page.write_bytes(USER_BYTES)
    argv = ["--metrics", str(tiny_pipeline["metrics"]), "--summary-tsv", str(tmp_path / "s.tsv")]
    argv += ["--torch-weights", str(tiny_pipeline["torch_weights"]), "--compact-weights"]
    argv += [str(p) for p in sorted(tiny_pipeline["manifest"].parent.glob("compress_vectors/*/embeddings.safetensors"))]
    err = one_message(capsys, run_cli(summarize_runs, [*argv, "--summary-html", str(page)]))
    assert str(page) in err and page.read_bytes() == USER_BYTES
    assert not (tmp_path / "s.tsv").exists()  # refused before any output was written


def test_verify_into_a_users_folder_or_the_runs_results_is_refused_before_rerunning(capsys, run_dir, tmp_path):
    from morphvec.manifest import verify_run

    into = tmp_path / "checks"
    users_folder(into / run_dir.name)
    err = one_message(capsys, run_cli(verify_run, ["--results", str(run_dir), "--into", str(into)]))
    assert "holds files morphvec did not write" in err
    assert (into / run_dir.name / "draft.txt").read_bytes() == USER_BYTES
    argv = ["--results", str(run_dir), "--into", str(run_dir.parent), "--force"]
    err = one_message(capsys, run_cli(verify_run, argv))
    assert "an input of this command" in err or "a morphvec run's results" in err
    assert run_is_whole(run_dir)


def test_the_rule_refuses_the_checkout_and_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    users_folder(tmp_path / "sub")
    with outputs.forcing(True):
        for path, reason in ((REPO, "morphvec's checkout"), (tmp_path, "the working directory")):
            with pytest.raises(UserInputError, match=reason):
                outputs.claim(path, "dir")
        outputs.claim(tmp_path / "sub", "dir")  # a user's folder below: --force may replace it


# --- child processes ----------------------------------------------------------------------------


def test_a_training_matrix_that_cannot_be_allocated_is_one_message(tmp_path):
    tokens = tmp_path / "tokens.txt"
    tokens.write_text("a b c d e f\n" * 20, encoding="utf-8")
    log = tmp_path / "train.log"
    argv = ["--tokens", str(tokens), "--model-bin", str(tmp_path / "m.bin"), "--log", str(log)]
    argv += ["--dim", "20000", "--bucket", "2000000"]  # a 149 GiB matrix: a typo away from a normal config
    done = subprocess.run(
        [*TRAIN, *argv],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    for text in (done.stderr, log.read_text(encoding="utf-8")):  # Snakemake shows the log on failure
        assert "Traceback" not in text and "MemoryError" not in text
    assert "fasttext.bucket 2,000,000 x fasttext.dim 20,000" in done.stderr and "149.0 GiB" in done.stderr
    assert not (tmp_path / "m.bin").exists() and not Path(f"{log}.traceback").exists()


def test_a_bug_in_the_training_process_goes_to_the_traceback_file(tmp_path, capsys):
    from morphvec import training

    tokens = tmp_path / "tokens.txt"
    tokens.write_text("a b c\n", encoding="utf-8")
    settings = {**default_of(run_schema()["properties"]["fasttext"]), "dim": 5, "minCount": 1, "bucket": 100}
    job = {"tokens": str(tokens), "trainer": "fasttext", "model_bin": str(tmp_path / "m.bin"), "model_vec": None}
    job |= {"fasttext": settings, "targets": {}}  # no fill_untrained_ngrams: a KeyError after training
    log = tmp_path / "train.log"
    code = runtime.run_step(lambda: training._run_child(job), log, "train_fasttext")
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err and "internal error in train_fasttext" in err
    assert "Traceback" not in log.read_text(encoding="utf-8")
    assert "the training process's traceback" in Path(f"{log}.traceback").read_text(encoding="utf-8")


def _fails_in_workers(parent: int):
    from morphvec import tokenize

    real = tokenize.make_tokenizer

    def make(*args, **kwargs):
        if os.getpid() != parent:
            raise UserInputError("the tokenizer could not start in a worker", "fix the worker")
        return real(*args, **kwargs)

    return make


def test_a_tokenizer_worker_that_cannot_start_is_one_message(capsys, corpus, tmp_path, monkeypatch):
    from morphvec import tokenize

    monkeypatch.setattr(tokenize, "make_tokenizer", _fails_in_workers(os.getpid()))
    argv = ["--corpus", str(corpus), "--tokens", str(tmp_path / "t.txt"), "--name", "mecab", "--threads", "2"]
    err = one_message(capsys, run_cli(tokenize_corpus, argv))
    assert "could not start in a worker" in err


def test_a_tokenizer_worker_killed_by_the_system_is_one_message_not_a_hang(capsys, corpus, tmp_path, monkeypatch):
    from morphvec import tokenize

    parent = os.getpid()
    real = tokenize.tokenize_batch

    def killed(*args, **kwargs):
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's OOM killer would
        return real(*args, **kwargs)

    monkeypatch.setattr(tokenize, "tokenize_batch", killed)
    argv = ["--corpus", str(corpus), "--tokens", str(tmp_path / "t.txt"), "--name", "mecab", "--threads", "2"]
    err = one_message(capsys, run_cli(tokenize_corpus, argv))
    assert "tokenizer worker died before it finished" in err and "memory" in err
    assert not (tmp_path / "t.txt").exists()


def test_the_analyser_process_reports_its_failure_to_the_parent(capfd):
    from morphvec.tokenize import CutWords

    with pytest.raises(UserInputError, match="unknown tokenizer"):  # raised in the child, reported here
        CutWords(["영화"], "no-such-tokenizer", False, "syllable", False)
    assert "Traceback" not in capfd.readouterr().err  # the child printed nothing; the parent has the error


# --- the card's metadata ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (["--license", "my own license v2"], "'my own license v2' is not a license identifier"),
        (["--license", "other"], "license: other needs the license's name"),
        (["--license", "mit", "--license-name", "x"], "go with license: other"),
        (["--datasets", "e9t/nsmc", "has spaces/in it"], "package.datasets[1]: 'has spaces/in it'"),
        (["--datasets", "e9t/nsmc\nnext"], "is not a Hugging Face dataset id"),
        (["--language", "ko", "korean"], "package.language[1]: 'korean' is not an ISO 639-1 or 639-3"),
    ],
)
def test_card_metadata_the_hub_would_reject_is_refused_before_writing(capsys, run_dir, tmp_path, options, named):
    code, err = package(capsys, run_dir, tmp_path / "pkg", *options)
    assert code == 2 and named in err and "Traceback" not in err, err
    assert not (tmp_path / "pkg").exists()


def test_license_other_with_its_name_and_link_round_trips_through_huggingface_hub(capsys, run_dir, tmp_path):
    from huggingface_hub import ModelCard, metadata_load

    options = ["--license", "other", "--license-name", "lab-1.0", "--license-link", "LICENSE", "--language", "kor"]
    code, err = package(capsys, run_dir, tmp_path / "pkg", *options)
    assert code == 0, err
    metadata = metadata_load(tmp_path / "pkg" / "README.md")
    assert (metadata["license"], metadata["license_name"], metadata["license_link"]) == ("other", "lab-1.0", "LICENSE")
    assert ModelCard.load(tmp_path / "pkg" / "README.md").data.language == ["kor"]


def test_a_config_with_a_license_the_hub_rejects_stops_before_running(tmp_path):
    config = tmp_path / "c.yaml"
    run = {"corpus": {"path": "c.txt"}, "package": {"license": "GPL", "language": ["ko"]}}
    config.write_text(yaml.safe_dump({"runs": {"r1": run}}), encoding="utf-8")
    snakemake = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--cores", "1"]
    done = subprocess.run(
        [*snakemake, "--configfile", str(config), "--directory", str(tmp_path), "-n"], capture_output=True, text=True
    )
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "package.license: 'GPL' is not a license identifier" in done.stderr and "gpl-3.0" in done.stderr


# --- damaged or foreign inputs ------------------------------------------------------------------


def test_a_torch_vocabulary_with_a_word_twice_is_named(capsys, tiny_pipeline, tmp_path):
    from morphvec.export import export_static

    export = tmp_path / "export"
    shutil.copytree(tiny_pipeline["torch_dir"], export)
    words = (export / "vocab.txt").read_text(encoding="utf-8").split("\n")
    words[5] = words[3]
    (export / "vocab.txt").write_text("\n".join(words), encoding="utf-8")
    argv = ["--torch-weights", str(export / "embeddings.safetensors"), "--torch-vocab", str(export / "vocab.txt")]
    argv += ["--token-counts", str(tiny_pipeline["token_counts"]), "--no-raw-text"]
    for name in ("static_weights", "static_tokenizer", "static_config", "static_modules"):
        argv += [f"--{name.replace('_', '-')}", str(tmp_path / "static" / Path(tiny_pipeline[name]).name)]
    err = one_message(capsys, run_cli(export_static, argv))
    assert f"vocab.txt: line 6: {words[3]!r} again (line 4 has it)" in err
    assert not (tmp_path / "static").exists()


def test_an_analogy_file_without_a_section_line_is_named(capsys, tiny_pipeline, tmp_path):
    from morphvec.evaluation import evaluate_vectors

    analogies = tmp_path / "analogies.txt"
    analogies.write_text("왕 남자 여왕 여자\n", encoding="utf-8")
    argv = ["--vectors", str(tiny_pipeline["torch_dir"]), "--analogy", f"a={analogies}"]
    err = one_message(capsys, run_cli(evaluate_vectors, argv))
    assert f"{analogies}: line 1: a question before the first ': section' line" in err


def test_package_of_a_run_that_does_not_exist_names_it_and_lists_the_runs(workflow_run):
    morphvec = Path(sys.executable).parent / "morphvec"
    done = subprocess.run(
        [morphvec, "package", "nope_run", "--into", "x"], cwd=workflow_run, capture_output=True, text=True
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr and done.stderr.count("error:") == 1
    assert f"no run 'nope_run': {workflow_run / 'results' / 'nope_run'} does not exist" in done.stderr
    assert "the finished runs under" in done.stderr and "ko_tiny" in done.stderr


def test_a_query_that_answers_nothing_fails_and_one_that_answers_something_does_not(capsys, tiny_pipeline):
    from morphvec.query import query_vectors

    vectors = ["--vectors", str(tiny_pipeline["w2v_txt"]), "--format", "word2vec"]  # no subwords: words unknown
    code = run_cli(query_vectors, [*vectors, "--similarity", "qqqq:zzzz", "--neighbours", "xqxq"])
    err = one_message(capsys, code)
    assert "no answer: the model has no vector for any word asked" in err
    known = (tiny_pipeline["torch_dir"] / "vocab.txt").read_text(encoding="utf-8").split("\n")[3]
    assert run_cli(query_vectors, [*vectors, "--neighbours", "xqxq", known]) == 0


def test_a_workflow_output_touched_by_snakemake_is_still_morphvecs(tmp_path):
    output = tmp_path / "stats.json"
    runtime.write_json(output, {"a": 1})
    os.utime(output, ns=(1, 1))  # Snakemake touches a job's outputs after the job
    outputs.claim(output)  # a step rerun by hand may replace it
    output.write_text('{"a": 2}\n', encoding="utf-8")  # same size, new bytes: the user's now
    with pytest.raises(UserInputError, match="morphvec did not write it"):
        outputs.claim(output)
