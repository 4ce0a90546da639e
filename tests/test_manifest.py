"""The run manifest (an RO-Crate), byte-identical reruns, the verify command, and what a killed
run leaves behind."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import snakemake
from test_workflow import _small_run

from morphvec import provenance
from morphvec.manifest import read_manifest

pytestmark = pytest.mark.workflow

REPO = Path(__file__).resolve().parents[1]


def graph(path: Path) -> dict:
    return {entity["@id"]: entity for entity in json.loads(path.read_text(encoding="utf-8"))["@graph"]}


def test_manifest_names_inputs_outputs_versions_seeds_and_command(workflow_run):
    manifest = workflow_run / "results/en_tiny/ro-crate-metadata.json"
    entities = graph(manifest)
    assert "https://w3id.org/ro/wfrun/process/0.5" in json.dumps(entities["ro-crate-metadata.json"]["conformsTo"])
    run = read_manifest(manifest)
    assert set(run["inputs"]) == {
        "corpus.path",
        "evaluation.similarity.wordsim353",
        "evaluation.analogy.questions_words",
        "finetune_word2vec.pretrained",
    }
    pretrained = run["inputs"]["finetune_word2vec.pretrained"]
    assert pretrained["sha256"] == provenance.sha256(pretrained["path"])
    model = run["files"]["train_fasttext/model.bin"]
    assert model["sha256"] == provenance.sha256(workflow_run / "results/en_tiny/train_fasttext/model.bin")
    assert model["contentSize"] == (workflow_run / "results/en_tiny/train_fasttext/model.bin").stat().st_size
    assert model["morphvec:role"] == "artefact" and model["morphvec:deterministic"] is True
    assert run["files"]["logs/train_fasttext.log"]["morphvec:role"] == "timing"
    versions = {e["name"]: e["softwareVersion"] for e in entities.values() if e.get("@type") == "SoftwareApplication"}
    for package in ("python", "fasttext", "gensim", "python-mecab-ko", "python-mecab-ko-dic", "numpy", "torch"):
        assert versions[package] not in ("", "not installed"), package
    assert versions["morphvec"] == provenance.source()["commit"]
    seeds = {e["name"]: e["value"] for e in entities.values() if e.get("@type") == "PropertyValue"}
    assert seeds == {"fasttext.seed": 0, "evaluation.seed": 0, "finetune_word2vec.seed": 1}
    assert run["command"].startswith("morphvec run --cores all --configfile=config.yaml")
    assert run["config"]["fasttext"]["dim"] == 16
    html = (workflow_run / "results/en_tiny/report/report.html").read_text(encoding="utf-8")
    assert pretrained["sha256"][:16] in html  # the report shows what it read at the top


def test_two_clean_runs_give_byte_identical_manifests(workflow_run, tmp_path):
    """One SHA-256 of the manifest identifies a run: timing files are listed without their
    (time-dependent) size and SHA-256, and the published folder comes after the manifest."""
    second = tmp_path / "second"
    second.mkdir()
    shutil.copy(workflow_run / "config.yaml", second / "config.yaml")  # same inputs, by absolute path
    result = snakemake(second)
    assert result.returncode == 0, result.stderr[-2000:]
    for run in ("ko_tiny", "ko_kiwi_jamo", "en_tiny"):
        first = workflow_run / "results" / run / "ro-crate-metadata.json"
        assert first.read_bytes() == (second / "results" / run / "ro-crate-metadata.json").read_bytes(), run
        entities = graph(first)
        timing = [e for e in entities.values() if e.get("morphvec:role") == "timing"]
        assert timing and all("sha256" not in e and "contentSize" not in e for e in timing)
        assert not any(key.startswith("package/") for key in entities)


def test_verify_reproduces_a_run_and_catches_a_changed_artefact(tmp_path):
    from conftest import GENSIM_DATA

    shutil.copy(GENSIM_DATA / "lee_background.cor", tmp_path / "corpus.txt")
    assert snakemake(tmp_path, config=_small_run(tmp_path, "corpus.txt")).returncode == 0
    verify = [sys.executable, str(REPO / "scripts/verify_run.py"), "--results", str(tmp_path / "results")]
    result = subprocess.run([*verify, "--into", str(tmp_path / "again")], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "rerun     identical  en/train_fasttext/model.bin" in result.stdout
    assert "rerun     identical  en/report/report.html" in result.stdout
    assert "rerun     timing     en/benchmarks/train_fasttext.tsv" in result.stdout
    assert "differs" not in result.stdout
    assert "provenance the code and packages here are the ones that made en" in result.stdout

    # an artefact that no longer matches what the code makes: named, with the largest difference
    run_dir = tmp_path / "results/en"
    vectors = np.load(run_dir / "extract_vectors/word_vectors.npy")
    np.save(run_dir / "extract_vectors/word_vectors.npy", vectors + np.float32(0.001))
    manifest = run_dir / "ro-crate-metadata.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    for entity in data["@graph"]:
        if entity["@id"] == "extract_vectors/word_vectors.npy":
            entity["sha256"] = provenance.sha256(run_dir / "extract_vectors/word_vectors.npy")
    manifest.write_text(json.dumps(data), encoding="utf-8")
    result = subprocess.run([*verify, "--into", str(tmp_path / "third")], capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert "rerun     differs    en/extract_vectors/word_vectors.npy  largest difference 0.001" in result.stdout
    assert "1 file(s) do not match the recorded run" in result.stderr and "Traceback" not in result.stderr


@pytest.fixture
def small_run(tmp_path):
    from conftest import GENSIM_DATA

    shutil.copy(GENSIM_DATA / "lee_background.cor", tmp_path / "corpus.txt")
    assert snakemake(tmp_path, config=_small_run(tmp_path, "corpus.txt")).returncode == 0
    return tmp_path


def verify_command(results: Path, *args: str, repo: Path = REPO) -> subprocess.CompletedProcess:
    command = [sys.executable, str(repo / "scripts/verify_run.py"), "--results", str(results), *args]
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run(command, capture_output=True, text=True, check=False, env=env)


def test_verify_checks_the_files_you_have_first(small_run):
    """A vector file edited after the run (by hand, a bad copy, bit rot) is named from the
    manifest's SHA-256 in seconds; --no-rerun stops there."""
    run_dir = small_run / "results/en"
    clean = verify_command(run_dir, "--no-rerun")
    assert clean.returncode == 0, clean.stderr
    assert (
        "of the recorded files" not in clean.stdout
        and " recorded files of en match the manifest's SHA-256" in clean.stdout
    )
    assert "rerun " not in clean.stdout  # no rerun was made
    vectors = run_dir / "extract_vectors/vectors.w2v.txt"
    vectors.write_text(vectors.read_text(encoding="utf-8").replace("0.", "1.", 1), encoding="utf-8")
    (run_dir / "export_torch/vocab.txt").unlink()
    edited = verify_command(run_dir, "--no-rerun")
    assert edited.returncode == 2
    assert "on disk   differs    en/extract_vectors/vectors.w2v.txt  SHA-256 differs from the manifest" in edited.stdout
    assert "on disk   missing    en/export_torch/vocab.txt" in edited.stdout
    assert "2 file(s) do not match the recorded run" in edited.stderr


def test_verify_from_an_archive_without_git_reports_provenance_apart(small_run, tmp_path):
    """A co-author's copy of the code without .git: the commit line of the page reads 'unknown',
    which verify names as provenance, and the run still verifies."""
    archive = tmp_path / "archive"
    archive.mkdir()
    for part in ("Snakefile", "scripts", "config", "resources", "envs", "profiles", "pyproject.toml"):
        copy = shutil.copytree if (REPO / part).is_dir() else shutil.copy
        copy(
            REPO / part,
            archive / part,
            **({"ignore": shutil.ignore_patterns("__pycache__")} if copy is shutil.copytree else {}),
        )
    result = verify_command(small_run / "results/en", "--into", str(tmp_path / "again"), repo=archive)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "(this copy is not a git checkout)" in result.stdout
    assert "rerun     provenance en/report/report.html  only its provenance lines differ" in result.stdout
    assert "rerun     identical  en/train_fasttext/model.bin" in result.stdout


def test_verify_a_run_made_at_another_commit(small_run, tmp_path):
    """The run's page and manifest name another commit: verify says so first, then finds every
    result identical and the page different in its provenance lines only."""
    run_dir = small_run / "results/en"
    page = run_dir / "report/report.html"
    here = provenance.source()["commit"]
    page.write_text(page.read_text(encoding="utf-8").replace(here, "0" * 40), encoding="utf-8")
    manifest = run_dir / "ro-crate-metadata.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    for entity in data["@graph"]:
        if entity["@id"] == "#morphvec":
            entity["softwareVersion"] = "0" * 40
        if entity["@id"] == "report/report.html":
            entity["sha256"] = provenance.sha256(page)
    manifest.write_text(json.dumps(data), encoding="utf-8")
    result = verify_command(run_dir, "--into", str(tmp_path / "again"))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert f"provenance morphvec commit: recorded {'0' * 40}, here {here}" in result.stdout
    assert "rerun     provenance en/report/report.html" in result.stdout


def test_verify_refuses_a_changed_input(tmp_path):
    from conftest import GENSIM_DATA

    shutil.copy(GENSIM_DATA / "lee_background.cor", tmp_path / "corpus.txt")
    assert snakemake(tmp_path, config=_small_run(tmp_path, "corpus.txt")).returncode == 0
    with open(tmp_path / "corpus.txt", "a", encoding="utf-8") as corpus:
        corpus.write("one more line\n")
    verify = [sys.executable, str(REPO / "scripts/verify_run.py"), "--results", str(tmp_path / "results/en")]
    result = subprocess.run(verify, capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert "corpus.path: " in result.stderr and "has changed since the run" in result.stderr


def _temporaries(root: Path) -> list[Path]:
    """Hidden files under results/: the step runtime's temporaries (Snakemake marks a directory
    output with a `.snakemake_timestamp` of its own)."""
    return [path for path in root.rglob(".*") if path.name != ".snakemake_timestamp"]


def test_kill_9_leaves_nothing_that_a_rerun_does_not_clean_up(tmp_path):
    from conftest import GENSIM_DATA

    text = (GENSIM_DATA / "lee_background.cor").read_text(encoding="utf-8")
    (tmp_path / "corpus.txt").write_text(text * 20, encoding="utf-8")  # long enough to be caught training
    config = _small_run(tmp_path, "corpus.txt")
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(tmp_path)]
    command += ["--configfile", str(config), "--cores", "1"]
    started = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list((tmp_path / "results").rglob(".model.bin.*")):
        time.sleep(0.05)
    os.killpg(started.pid, signal.SIGKILL)  # the whole job: snakemake, the step and fastText
    started.wait()
    assert _temporaries(tmp_path / "results"), "the kill came too late to leave a temporary file"
    unlock = subprocess.run([*command, "--unlock"], capture_output=True, text=True, check=False)
    assert unlock.returncode == 0, unlock.stderr[-2000:]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert _temporaries(tmp_path / "results") == []
    assert (tmp_path / "results/en/ro-crate-metadata.json").is_file()
