"""morphvec as a module of another workflow (``module morphvec:`` + ``use rule * from morphvec``),
with and without ``prefix:``: the host's config runs to the end, its own files are read where
its config names them, and the library is morphvec's own, not a folder of the host's."""

import json
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
