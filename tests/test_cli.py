"""Command lines come from the step functions and the schema: every CLI default is the schema's,
and no step script does more than hand one function to the runtime."""

import ast
import importlib
import inspect
from pathlib import Path

import pytest
import yaml
from snakemake.utils import validate

from morphvec import cli, layout
from morphvec.schema import SCHEMA_DEFAULT, SCHEMA_PATH

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = sorted((REPO / "scripts").glob("*.py"))


def step_function(script: Path):
    """The library function a step script hands to ``runtime.main``."""
    tree = ast.parse(script.read_text(encoding="utf-8"))
    imports = {
        alias.asname or alias.name: node.module
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    call = tree.body[-1].value
    name = call.args[0].id
    return getattr(importlib.import_module(imports[name]), name)


def filled_run() -> dict:
    config = {"runs": {"r": {"corpus": {"path": "c.txt"}}}}
    validate(config, str(SCHEMA_PATH))
    return config["runs"]["r"]


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_every_cli_default_equals_the_schemas(script):
    function = step_function(script)
    parser = cli.build_parser(function)
    defaults = {action.dest: action.default for action in parser._actions}
    run = filled_run()
    sections = getattr(function, "config_sections", ())
    for param in inspect.signature(function).parameters.values():
        if param.default is not SCHEMA_DEFAULT:
            continue
        owner = (
            run
            if param.name in run and param.name not in sections
            else next(run[s] for s in sections if param.name in run[s])
        )
        expected = owner[param.name]
        if isinstance(expected, dict) and any(f"{param.name}.{key}" in defaults for key in expected):
            for key, value in expected.items():
                assert defaults[f"{param.name}.{key}"] == value, (script.name, param.name, key)
        elif isinstance(expected, dict):
            assert defaults[param.name] in (None, expected), (script.name, param.name)  # NAME=PATH lists
        else:
            assert defaults[param.name] == expected, (script.name, param.name)


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_step_scripts_are_thin_and_import_no_step(script):
    tree = ast.parse(script.read_text(encoding="utf-8"))
    modules = [node.module for node in tree.body if isinstance(node, ast.ImportFrom)]
    assert all(module.startswith("morphvec") for module in modules), modules
    assert len(script.read_text(encoding="utf-8").splitlines()) <= 12


def test_python_callers_get_the_schema_defaults():
    from morphvec.training import train_fasttext

    schema = yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8"))
    bucket = schema["$defs"]["run"]["properties"]["fasttext"]["properties"]["bucket"]["default"]
    parser = cli.build_parser(train_fasttext)
    assert {a.dest: a.default for a in parser._actions}["fasttext.bucket"] == bucket


def test_run_dir_fills_every_file_from_the_layout(tmp_path):
    from morphvec.report import write_report

    parser = cli.build_parser(write_report)
    args = parser.parse_args(["--run-dir", str(tmp_path / "myrun")])
    kwargs, _ = cli.kwargs_from_args(write_report, parser, args)
    assert kwargs["model_bin"] == layout.run_file("model_bin", tmp_path / "myrun")
    assert kwargs["run"] == "myrun"
