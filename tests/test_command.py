"""The installed package and the `morphvec` command, as a user meets them from a fresh shell."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
MORPHVEC = BIN / "morphvec"
CLEAN_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}  # as installed, nothing else


def morphvec(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([str(MORPHVEC), *args], capture_output=True, text=True, cwd=cwd, env=CLEAN_ENV)


def test_import_morphvec_works_from_any_directory(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", "import morphvec.query, morphvec.command; print(morphvec.__name__)"],
        cwd=tmp_path,
        env=CLEAN_ENV,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and done.stdout.strip() == "morphvec", done.stderr


def test_help_lists_every_subcommand_once():
    done = morphvec("--help")
    assert done.returncode == 0
    for command in ("run", "query", "evaluate", "verify", "package"):
        assert done.stdout.count(f"\n  {command} ") == 1, command


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "No such file or directory"),
        ("runs:\n  r:\n    corpus: {path: 영화.tsv}\n".encode("cp949"), "not UTF-8"),
        (b"runs:\n  r: {corpus: [\n", "line 3, column 1"),
    ],
    ids=["missing", "cp949", "yaml-syntax"],
)
def test_run_checks_the_config_file_first(tmp_path, content, expected):
    config = tmp_path / "my.yaml"
    if content is not None:
        config.write_bytes(content)
    done = morphvec("run", "--configfile", str(config), "-n", cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith(f"error: config file {config}: ") and expected in lines[0]
    assert len(lines) == 2 and lines[1].startswith("  fix: ")  # one message, no traceback


def test_run_hands_a_good_config_to_snakemake(tmp_path):
    repo = Path(__file__).resolve().parents[1]
    done = morphvec("run", "-n", "--forceall", "--cores", "1", cwd=repo)  # the bundled config, dry run
    assert done.returncode == 0, done.stderr[-2000:]
    assert "package_model" in done.stdout + done.stderr


def test_an_unknown_command_is_named():
    done = morphvec("frobnicate")
    assert done.returncode == 2 and "unknown command 'frobnicate'" in done.stderr


def test_a_workflow_profile_is_found_by_name_from_any_directory(tmp_path, monkeypatch):
    from morphvec import bundle
    from morphvec.command import workflow_profile

    monkeypatch.chdir(tmp_path)  # no profiles/ here
    for given in (["--workflow-profile", "slurm"], ["--workflow-profile=profiles/slurm"]):
        argv, problem = workflow_profile([*given, "--configfile", "my.yaml"])
        assert problem is None and argv == [
            "--workflow-profile",
            str(bundle.PROFILES / "slurm"),
            "--configfile",
            "my.yaml",
        ]
    argv, problem = workflow_profile(["--workflow-profile", "slurmm"])
    assert "no such profile" in problem and "default, slurm, slurm-test" in problem
    (tmp_path / "mine").mkdir()  # a profile folder of the user's is left as given
    assert workflow_profile(["--workflow-profile", "mine"]) == (["--workflow-profile", "mine"], None)
