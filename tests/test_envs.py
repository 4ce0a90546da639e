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
    assert {f.stem for f in env_files} >= {"tokenize", "fasttext", "gensim", "torch", "report"}
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


def env_pins(path: Path) -> dict[str, str]:
    env = yaml.safe_load(path.read_text())
    return pins(next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d))


def test_registry_schema_and_envs_agree():
    """Every tokenizer of the registry is a value of the schema's enum and the reverse; each one's
    packages are pinned in requirements.txt, in its tokenize env and in the report's env (the
    report cuts eojeol queries with the run's tokenizer); the env is the tokenize rules'."""
    from morphvec.schema import run_schema
    from morphvec.tokenizers import TOKENIZERS

    enum = run_schema()["properties"]["tokenizer"]["properties"]["name"]["enum"]
    assert list(TOKENIZERS) == enum
    required = pins((REPO / "requirements.txt").read_text().splitlines())
    snakefile = (REPO / "Snakefile").read_text()
    for entry in TOKENIZERS.values():
        assert f'"{entry.env}"' in snakefile, entry.env
        for env in (REPO / entry.env, REPO / "envs/report.yaml"):
            found = env_pins(env)
            for package in entry.packages:
                key = package.lower().replace("_", "-")
                assert key in required, (entry.name, package)
                assert found.get(key) == required[key], (entry.name, package, env.name)


def test_the_wheel_declares_what_morphvec_imports_pinned_as_in_requirements():
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    required = pins((REPO / "requirements.txt").read_text().splitlines())
    extras = project["optional-dependencies"].values()
    entries = [*project["dependencies"], *(entry for extra in extras for entry in extra)]
    declared = pins(entries)
    assert len(declared) == len(entries)
    assert {name: required.get(name) for name in declared} == declared  # every one pinned as requirements.txt pins it
    direct = (REPO / "requirements.txt").read_text().split("# tests only")[0]
    tools = {"snakefmt", "ruff", "pytest", "setuptools"}  # checks and the build, not the tool
    assert set(pins(direct.splitlines())) - tools == set(pins(project["dependencies"]))
