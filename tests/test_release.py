"""A release a paper can cite: one version (pyproject.toml's), printed by `morphvec --version`,
recorded in the manifest and the card, with its CHANGELOG.md entry and a LICENSE that says what
pyproject.toml says."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_the_version_is_pyprojects_everywhere():
    import morphvec

    assert morphvec.__version__ == PROJECT["version"]  # make setup reinstalls when pyproject.toml changes
    done = subprocess.run(
        [Path(sys.executable).parent / "morphvec", "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout == f"morphvec {PROJECT['version']}\n"


def test_the_changelog_has_the_versions_entry_first_and_the_license_is_pyprojects():
    headings = re.findall(
        r"^## v(\d+\.\d+\.\d+) — (\d{4}-\d{2}-\d{2})$", (REPO / "CHANGELOG.md").read_text("utf-8"), re.M
    )
    assert headings[0][0] == PROJECT["version"] and headings[-1][0] == "0.1.0"
    assert PROJECT["license"] == "MIT" and (REPO / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def test_the_manifest_and_the_card_name_the_release(tiny_pipeline):
    from morphvec.manifest import read_manifest

    recorded = read_manifest(tiny_pipeline["manifest"])
    assert recorded["version"] == PROJECT["version"] and recorded["command"].startswith("morphvec run ")
    card = (tiny_pipeline["package"] / "README.md").read_text(encoding="utf-8")
    assert f"morphvec {PROJECT['version']}, commit `" in card
