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
        for dest, expected in flattened(param.name, owner[param.name], defaults):
            if isinstance(expected, dict):
                assert defaults[dest] in (None, expected), (script.name, dest)  # NAME=PATH lists
            else:
                assert defaults[dest] == expected, (script.name, dest)


def flattened(dest: str, value, options: dict):
    """``(option dest, schema default)`` for a setting and, where it is a section of options,
    for each of its keys (``evaluation.sentiment_probe.negative_max``)."""
    if isinstance(value, dict) and any(f"{dest}.{key}" in options for key in value):
        for key, inner in value.items():
            yield from flattened(f"{dest}.{key}", inner, options)
    else:
        yield dest, value


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

    run_dir = tmp_path / "myrun"
    for name in ("model_bin", "tokens", "compact_weights"):
        path = Path(layout.run_file(name, run_dir).replace("{variant}", "v1"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    parser = cli.build_parser(write_report)
    args = parser.parse_args(["--run-dir", str(run_dir), "--input", f"tokens={tmp_path / 'mine.txt'}"])
    kwargs, _, _ = cli.kwargs_from_args(write_report, parser, args)
    assert kwargs["inputs"]["model_bin"] == layout.run_file("model_bin", run_dir)
    assert kwargs["inputs"]["tokens"] == str(tmp_path / "mine.txt")  # what is given wins over the run's
    assert kwargs["inputs"]["compact_weights"] == [str(run_dir / "compress_vectors/v1/embeddings.safetensors")]
    assert "labels" not in kwargs["inputs"]  # a file the run does not have is not made up
    assert kwargs["metrics"] == layout.run_file("metrics", run_dir)
    assert kwargs["run"] == "myrun"


def test_nested_settings_are_options_with_the_schemas_defaults():
    from morphvec.report import write_report

    parser = cli.build_parser(write_report)
    args = parser.parse_args(["--run-dir", "r", "--negative-max", "3", "--similarity", "ws=a.csv"])
    kwargs, _, _ = cli.kwargs_from_args(write_report, parser, args)
    probe = kwargs["evaluation"]["sentiment_probe"]
    assert probe["negative_max"] == 3 and probe["positive_min"] == 9  # given, and the schema's default
    assert kwargs["evaluation"]["similarity"] == {"ws": "a.csv"}


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_help_names_each_default_once(script):
    """argparse's ArgumentDefaultsHelpFormatter on top of help that already named the default printed
    `(default: 100) (default: 100)`; now each option's default appears once, where it has one."""
    parser = cli.build_parser(step_function(script))
    for action in parser._actions:
        text = parser._get_formatter()._get_help_string(action) if action.help else ""
        assert text.count("(default") <= 1, (script.name, action.dest, text)
    assert "(default: None)" not in " ".join(parser.format_help().split())


def test_a_setting_without_a_description_names_its_key_and_default():
    from morphvec.training import train_fasttext

    assert "--dim VALUE config key fasttext.dim (default: 100)" in " ".join(
        cli.build_parser(train_fasttext).format_help().split()
    )


def bounded_options():
    """Every (script, option, out-of-bounds value, its config key's bound) a CLI offers."""
    cases = []
    for script in SCRIPTS:
        parser = cli.build_parser(step_function(script))
        for action in parser._actions:
            converter = action.type
            prop = getattr(converter, "schema", None)
            if not prop or not action.option_strings:
                continue
            for bound, outside in (("minimum", -1), ("exclusiveMinimum", 0), ("maximum", 1)):
                if bound in prop:
                    value = prop[bound] + outside
                    cases.append(
                        pytest.param(
                            script,
                            action.option_strings[0],
                            value,
                            id=f"{script.stem}{action.option_strings[0]}={value}",
                        )
                    )
    return cases


@pytest.mark.parametrize(("script", "option", "value"), bounded_options())
def test_every_cli_option_with_a_bound_refuses_a_value_outside_it(script, option, value, capsys):
    """The schema's bounds hold on the command line too (`--max-chars 0` never ended before)."""
    parser = cli.build_parser(step_function(script))
    with pytest.raises(SystemExit) as ended:
        parser.parse_args([option, str(value)])
    assert ended.value.code == 2
    assert f"argument {option}: " in capsys.readouterr().err


def test_the_bounds_cover_every_bounded_setting():
    options = {case.values[1] for case in bounded_options()}
    assert {"--max-chars", "--dim", "--lr", "--tolerance", "--extend-min-count", "--limit"} <= options
    assert len(options) >= 25
