"""The conda env files in envs/ pin the same versions as requirements.txt."""

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def pins(lines):
    found = {}
    for line in lines:
        match = re.match(r"^\s*([A-Za-z0-9_.\-]+)==([^\s#]+)", line)
        if match:
            found[match.group(1).lower().replace("_", "-")] = match.group(2)
    return found


def test_every_env_pin_matches_requirements():
    required = pins((REPO / "requirements.txt").read_text().splitlines())
    env_files = sorted((REPO / "envs").glob("*.yaml"))
    assert {f.stem for f in env_files} >= {"mecab", "fasttext", "gensim", "torch", "report"}
    for env_file in env_files:
        env = yaml.safe_load(env_file.read_text())
        pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
        env_pins = pins(pip_section)
        assert env_pins, f"{env_file.name} pins nothing"
        assert len(env_pins) == len(pip_section), f"{env_file.name}: every pip entry must be pinned with =="
        for name, version in env_pins.items():
            assert required.get(name) == version, (
                f"{env_file.name}: {name}=={version}, requirements.txt has {required.get(name)}"
            )


def test_every_rule_names_an_existing_env():
    snakefile = (REPO / "Snakefile").read_text()
    envs = re.findall(r'conda:\s*\n\s*"([^"]+)"', snakefile)
    assert len(envs) == snakefile.count("\nrule ") - 1  # every rule but `all`
    for env in envs:
        assert (REPO / env).is_file(), env
