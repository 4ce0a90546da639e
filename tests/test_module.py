"""morphvec as a module of another workflow (``module morphvec:`` + ``use rule * from morphvec``),
with and without ``prefix:``: the host's config runs to the end, its own files are read where
its config names them, and the library is morphvec's own, not a folder of the host's.  A project
deployed by snakedeploy runs its copied config; a module read from git is one message."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO, tiny_config

pytestmark = pytest.mark.workflow

HOST = """configfile: "config.yaml"


module morphvec:
    snakefile:
        "{snakefile}"
    config:
        config
{prefix}

use rule * from morphvec as morphvec_*
"""


@pytest.mark.parametrize("prefix", ["", "emb/"])
def test_a_host_workflow_runs_morphvec_as_a_module(tmp_path, prefix):
    config = tiny_config(tmp_path)
    run = config["runs"]["ko_tiny"]
    run["corpus"]["path"] = Path(run["corpus"]["path"]).name  # relative: where the host's config says
    run["compress_vectors"]["activate"] = False
    run["evaluation"]["similarity"] = {"ws353_ko": "morphvec:resources/eval/WS353_korean.csv"}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump({"runs": {"ko_tiny": run}}, allow_unicode=True), "utf-8")
    module_prefix = f'    prefix:\n        "{prefix}"\n' if prefix else ""
    (tmp_path / "Snakefile").write_text(HOST.format(snakefile=REPO / "Snakefile", prefix=module_prefix), "utf-8")
    decoy = tmp_path / "scripts" / "morphvec"  # a host with a library of that name beside its Snakefile
    decoy.mkdir(parents=True)
    (decoy / "__init__.py").write_text("raise ImportError(\"the host's folder, not morphvec's library\")\n", "utf-8")

    done = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2"], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    run_dir = tmp_path / prefix / "results" / "ko_tiny"
    metrics = json.loads((run_dir / "report" / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["quality"]["similarity"]["ws353_ko"]["pairs"] == 353
    manifest = json.loads((run_dir / "ro-crate-metadata.json").read_text(encoding="utf-8"))
    action = next(e for e in manifest["@graph"] if e.get("@type") == "CreateAction" and "morphvec:command" in e)
    assert action["morphvec:command"] == f"snakemake --cores all {prefix}results/ko_tiny/ro-crate-metadata.json"
    assert (run_dir / "package" / "README.md").is_file()


def test_a_module_read_from_git_is_one_message(tmp_path):
    """Snakemake cannot run a top-level Snakefile's ``script:`` rules from ``gitfile``/``github``
    (morphvec/workflow.py says why): the host is told so before anything runs, not a traceback."""
    clone = tmp_path / "morphvec"
    subprocess.run(["git", "clone", "-q", REPO, clone], check=True)
    (clone / "Snakefile").write_bytes((REPO / "Snakefile").read_bytes())  # the checkout's, committed or not
    git = ["git", "-C", clone, "-c", "user.name=test", "-c", "user.email=test@example.org"]
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-am", "this checkout's Snakefile"], check=True)
    subprocess.run([*git, "tag", "v0.0.1"], check=True)
    gitfile = f'gitfile("{clone}", path="Snakefile", tag="v0.0.1")'
    (tmp_path / "Snakefile").write_text(HOST.format(snakefile="", prefix="").replace('""', gitfile), "utf-8")
    config = {"runs": {"s": {"corpus": {"path": "morphvec:resources/nsmc_sample.tsv.gz"}}}}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config), "utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "1", "-n"], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode != 0
    assert f"error: morphvec's Snakefile is read from git+file://{clone}" in done.stderr, done.stderr[-3000:]
    assert "fix: name a local Snakefile in the module" in done.stderr and "Traceback" not in done.stderr


def test_snakedeploy_gives_a_project_whose_default_config_runs(tmp_path):
    """``snakedeploy deploy-workflow`` from a local copy (a clone at a tag, as the README says):
    the copied ``config/config.yaml`` runs in the new project folder, its bundled files found."""
    import morphvec

    source = tmp_path / "morphvec"  # snakedeploy copies the whole source: not the checkout's .venv or results
    skip = shutil.ignore_patterns(".git", ".venv", "results", ".snakemake", "build", "*.egg-info", "__pycache__")
    shutil.copytree(REPO, source, ignore=skip)
    project = tmp_path / "project"
    deploy = [Path(sys.executable).with_name("snakedeploy"), "deploy-workflow", source, project]
    subprocess.run([*deploy, "--tag", f"v{morphvec.__version__}"], check=True, capture_output=True)
    assert {p.name for p in project.iterdir()} == {"config", "profiles", "workflow", "LICENSE"}
    snakefile = project / "workflow" / "Snakefile"
    # snakedeploy 0.17.1 writes a local source's Snakefile relative to the source, which Snakemake
    # reads relative to workflow/: the README's one-line fix, pointing it at the source's Snakefile
    text = snakefile.read_text(encoding="utf-8")
    assert '\n        "Snakefile"\n' in text
    snakefile.write_text(text.replace('"Snakefile"', f'"{source / "Snakefile"}"'), encoding="utf-8")

    done = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2"], cwd=project, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    metrics = json.loads((project / "results/nsmc_sample/report/metrics.json").read_text(encoding="utf-8"))
    assert metrics["corpus"]["documents"] == 30_000 and metrics["quality"]["similarity"]["ws353_ko"]["pairs"] == 353
