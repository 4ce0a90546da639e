"""The step runtime: every failure class ends as one message naming the file and the fix, with no
traceback on the screen, and nothing half-written is left behind."""

import gzip
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import sample_rows

from morphvec.runtime import UserInputError, atomic_open, run_step

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = REPO / "scripts"


def run_script(script: str, *args: str, preexec=None, cwd=None) -> subprocess.CompletedProcess:
    """A step script as a user runs it from the shell."""
    return subprocess.run(
        [sys.executable, str(SCRIPTS / script), *args],
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=preexec,
        cwd=cwd,
    )


def one_message(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    return result.stderr


@pytest.fixture
def corpus(tmp_path) -> Path:
    path = tmp_path / "reviews.tsv"
    path.write_text("\n".join(sample_rows(50)) + "\n", encoding="utf-8")
    return path


def test_damaged_gzip_names_the_file_and_line(tmp_path):
    data = gzip.compress(("\n".join(sample_rows(2000)) + "\n").encode("utf-8"))
    damaged = tmp_path / "damaged.tsv.gz"
    damaged.write_bytes(data[: len(data) // 2])  # cut off in the middle, like a failed copy
    result = run_script("count_documents.py", "--corpus", str(damaged))
    message = one_message(result)
    assert "damaged.tsv.gz: the gzip data is damaged after line" in message and "gzip -t" in message


def test_unreadable_corpus_names_the_file(tmp_path, corpus, monkeypatch, capsys):
    from morphvec.corpus import count_documents

    if os.geteuid() != 0:
        corpus.chmod(0)
    else:  # root reads any file, so the operating system's refusal is simulated where it arises
        real_open = open

        def refusing_open(path, *args, **kwargs):
            if Path(path) == corpus:
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr("builtins.open", refusing_open)
    assert run_step(lambda: count_documents(corpus), None, "count_documents") == 2
    message = capsys.readouterr().err
    assert (
        message
        == f"error: {corpus}: Permission denied\n  fix: check the permissions of the file and its directory (`ls -l`)\n"
    )


def test_unwritable_output_directory_names_the_file(tmp_path, corpus):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where a directory should be")
    message = one_message(
        run_script(
            "tokenize_corpus.py", "--corpus", str(corpus), "--tokens", str(blocked / "t.txt"), "--name", "whitespace"
        )
    )
    assert "blocked" in message and "fix:" in message


def test_output_path_that_is_a_directory(tmp_path, corpus):
    target = tmp_path / "tokens.txt"
    target.mkdir()
    message = one_message(
        run_script("tokenize_corpus.py", "--corpus", str(corpus), "--tokens", str(target), "--name", "whitespace")
    )
    assert f"{target}: it is a directory where a file goes" in message and "give a new path" in message
    assert target.is_dir()


def _limit_file_size():
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))


def test_full_disk_or_file_size_limit_is_a_message_and_leaves_nothing(tmp_path):
    corpus = tmp_path / "reviews.tsv"
    corpus.write_text("\n".join(sample_rows(3000)) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_script(
        "tokenize_corpus.py", "--corpus", str(corpus), "--tokens", str(out / "tokens.txt"), "--name", "whitespace",
        preexec=_limit_file_size,
    )  # fmt: skip
    message = one_message(result)
    assert "tokens.txt: File too large" in message and "ulimit -f" in message
    assert not out.exists() or list(out.iterdir()) == []  # no temporary file, no finished-looking file


def test_internal_error_is_one_line_with_the_traceback_in_a_file(tmp_path, capsys):
    def broken():
        raise AssertionError("a library's own check failed")

    log = tmp_path / "logs" / "step.log"
    assert run_step(broken, log, "demo") == 1
    err = capsys.readouterr().err
    assert err.startswith("error: internal error in demo: AssertionError: a library's own check failed")
    assert "Traceback" not in err
    traceback_file = Path(f"{log}.traceback")
    assert "Traceback (most recent call last)" in traceback_file.read_text()
    assert str(traceback_file) in err
    assert run_step(lambda: None, log, "demo") == 0
    assert not traceback_file.exists()  # a later success removes the stale traceback


def test_user_error_keeps_its_message_and_fix(capsys):
    def bad():
        raise UserInputError("data.tsv: line 3: something is off", "repair line 3")

    assert run_step(bad, None, "demo") == 2
    assert capsys.readouterr().err == "error: data.tsv: line 3: something is off\n  fix: repair line 3\n"


def test_atomic_open_leaves_nothing_when_interrupted(tmp_path):
    target = tmp_path / "out.txt"
    with pytest.raises(RuntimeError), atomic_open(target) as handle:
        handle.write("half")
        raise RuntimeError("killed")
    assert list(tmp_path.iterdir()) == []


def _resident_file_kb() -> int:
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("RssFile:")))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="MADV_DONTNEED on Linux only")
def test_drop_resident_pages_only_on_clean_file_maps(tmp_path):
    """A read map's pages leave the resident set and read back the same; anonymous memory and
    a private map with written pages are left alone (dropping would lose their data)."""
    import numpy as np

    from morphvec.pages import drop_resident_pages

    values = np.arange(64 << 18, dtype=np.float32).reshape(-1, 64)  # 64 MiB
    np.save(tmp_path / "m.npy", values)
    mapped = np.load(tmp_path / "m.npy", mmap_mode="r")
    before = _resident_file_kb()
    assert float(mapped.sum(dtype=np.float64)) == float(values.sum(dtype=np.float64))  # all pages read
    assert _resident_file_kb() - before > 32 << 10
    assert drop_resident_pages(mapped)
    assert _resident_file_kb() - before < 8 << 10
    assert np.array_equal(mapped[::97], values[::97])

    anonymous = values.copy()
    assert not drop_resident_pages(anonymous)
    assert np.array_equal(anonymous, values)
    written = np.load(tmp_path / "m.npy", mmap_mode="c")  # private: a write copies the page
    written[0, 0] = -1.0
    assert not drop_resident_pages(written)
    assert written[0, 0] == -1.0


def test_an_io_error_without_a_file_name_names_the_steps_files(tmp_path, capsys):
    """An error of the disk on an open file carries no name; the message used to read 'a file'."""
    import errno

    from morphvec.runtime import run_step

    def failing():
        raise OSError(errno.EIO, "Input/output error")

    code = run_step(failing, name="tokenize_corpus", files=[str(tmp_path / "corpus.tsv"), str(tmp_path / "tokens.txt")])
    err = capsys.readouterr().err
    assert code == 2
    assert f"error: one of {tmp_path / 'corpus.tsv'}, {tmp_path / 'tokens.txt'}: Input/output error" in err
    assert "fix: the storage reported an I/O error" in err
