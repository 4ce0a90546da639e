"""The config schema: defaults are filled in, typos and wrong types are errors naming the key."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from snakemake.utils import validate

REPO = Path(__file__).resolve().parents[1]
SCHEMA = str(REPO / "config" / "schemas" / "config.schema.yaml")
SNAKEMAKE = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile")]


def test_defaults_are_filled_in():
    config = {
        "runs": {"r1": {"corpus": {"path": "c.txt"}}, "r2": {"corpus": {"path": "d.txt"}, "fasttext": {"dim": 8}}}
    }
    validate(config, SCHEMA)
    r1, r2 = config["runs"]["r1"], config["runs"]["r2"]
    expected_tokenizer = {"name": "mecab", "lowercase": False, "max_chars": 5000, "invalid_utf8": "error"}
    expected_tokenizer |= {"pos": False, "unit": "syllable"}
    assert r1["tokenizer"] == {**expected_tokenizer, "threads": 2, "shards": "auto"}
    assert r1["fasttext"]["bucket"] == 2000000 and r1["fasttext"]["thread"] == 1
    assert r2["fasttext"]["dim"] == 8 and r2["fasttext"]["minCount"] == 5
    assert r1["finetune_word2vec"]["activate"] is False and r1["finetune_word2vec"]["lockf"] == 1.0
    assert r1["evaluation"]["samples"] == 1000 and r1["evaluation"]["tolerance"] == 1e-5
    assert r1["corpus"]["format"] == "auto" and r1["fill_untrained_ngrams"] is True


def test_shipped_configs_are_valid():
    from morphvec.schema import run_problems

    shipped = sorted((REPO / "config").glob("*.yaml"))
    assert {path.name for path in shipped} >= {"config.yaml", "full_nsmc.yaml", "sweep_nsmc.yaml", "sweep_park.yaml"}
    for path in shipped:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
        validate(config, SCHEMA)
        for name, run in config["runs"].items():
            assert run_problems(run) == [], (path.name, name)


@pytest.mark.parametrize(
    ("run", "message"),
    [
        ({"corpus": {"path": "c.txt"}, "fasttext": {"dimm": 5}}, "'dimm' was unexpected"),
        ({"corpus": {"path": "c.txt"}, "fasttext": {"dim": "a lot"}}, "'a lot' is not of type 'integer'"),
        ({"corpus": {"path": "c.txt"}, "finetune_word2vec": {"activate": True}}, "'pretrained' is a required property"),
        ({"corpus": {"path": "c.txt"}, "tune_static": {"activate": True}}, "'pairs' is a required property"),
        ({"corpus": {"path": "c.txt"}, "tune_static": {"start": "tuned"}}, "'tuned' is not one of ['parity', 'sif']"),
        ({"corpus": {}}, "'path' is a required property"),
    ],
)
def test_bad_config_is_a_clear_error_naming_the_key(tmp_path, run, message):
    config = tmp_path / "bad.yaml"
    config.write_text(yaml.safe_dump({"runs": {"r1": run}}), encoding="utf-8")
    result = subprocess.run(
        [*SNAKEMAKE, "--configfile", str(config), "--directory", str(tmp_path), "-n"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and 'File "' not in result.stderr
    assert f"error: {config}: runs.r1" in result.stderr
    assert message in result.stderr


def test_config_readme_is_the_schema_written_out():
    from morphvec.schema import config_reference

    written = (REPO / "config" / "README.md").read_text(encoding="utf-8")
    assert written == config_reference(), "run: python -m morphvec.schema --reference > config/README.md"
    for key in ("corpus.path", "fasttext.bucket", "package.license_name", "evaluation.sentiment_probe.test_share"):
        assert f"| `{key}` |" in written
