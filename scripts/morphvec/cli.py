"""Command lines derived from step functions: every step script is also a CLI.

The options are the function's parameters, nothing restated: a parameter that defaults to the
schema (:data:`morphvec.schema.SCHEMA_DEFAULT`) takes its type, choices, default and help from
``config/schemas/config.schema.yaml``; a mapping of a library's own settings (``fasttext``)
becomes one option per key; file parameters become ``--name PATH`` options, and ``--run-dir``
fills those a run's results directory has (:mod:`morphvec.layout`).  ``--log FILE`` sends the log
where a rule's log would go.
"""

import argparse
import inspect
import json
import sys
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from morphvec import layout
from morphvec.schema import SCHEMA_DEFAULT, default_of, find_property

_JSON_TYPES = {"integer": int, "number": float, "string": str, "boolean": bool}


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


def _schema_type(prop: dict) -> Callable[[str], Any]:
    """A converter for a scalar schema property (enum, type or ``oneOf`` of both)."""
    if "oneOf" in prop:
        converters = [_schema_type(p) for p in prop["oneOf"]]

        def one_of(text: str) -> Any:
            for choice in prop["oneOf"]:
                if choice.get("const") == text:
                    return text
            return converters[-1](text)

        return one_of
    if "enum" in prop:
        return type(prop["enum"][0]) if prop["enum"] else str
    kinds = prop.get("type", "string")
    kinds = [kinds] if isinstance(kinds, str) else kinds
    converter = next((_JSON_TYPES[k] for k in kinds if k in _JSON_TYPES), str)
    if "null" in kinds:
        return lambda text: None if text.lower() in ("null", "none") else converter(text)
    return converter


def _bounded(prop: dict) -> Callable[[str], Any]:
    """``_schema_type`` whose result must also meet the property's schema (minimum, maximum,
    enum, ...), checked by jsonschema: the same check, by the same code, as for a config file."""
    import jsonschema

    convert = _schema_type(prop)
    validator = jsonschema.Draft202012Validator({k: v for k, v in prop.items() if k not in ("default", "description")})

    def checked(text: str) -> Any:
        value = convert(text)
        error = next(iter(validator.iter_errors(value)), None)
        if error is not None:
            raise argparse.ArgumentTypeError(error.message)
        return value

    checked.__name__ = getattr(convert, "__name__", "value")  # argparse's "invalid int value" names it
    checked.schema = prop
    return checked


def _parse_named_path(text: str) -> tuple[str, str]:
    name, sep, path = text.partition("=")
    return (name, path) if sep else (Path(text).stem, text)


def _add_schema_option(group, name: str, prop: dict, dest: str) -> None:
    """One option for a scalar, list or ``NAME=PATH`` mapping property of the schema."""
    help_text = " ".join(prop.get("description", "").split()) or f"config key {dest}"
    default = default_of(prop)
    kind = prop.get("type")
    if kind == "boolean":
        group.add_argument(
            _option(name), dest=dest, action=argparse.BooleanOptionalAction, default=default, help=help_text
        )
    elif kind == "array":
        group.add_argument(_option(name), dest=dest, nargs="*", default=default, metavar="VALUE", help=help_text)
    elif kind == "object":
        group.add_argument(
            _option(name), dest=dest, action="append", type=_parse_named_path, metavar="NAME=PATH", help=help_text
        )
    else:
        choices = prop.get("enum")
        group.add_argument(
            _option(name),
            dest=dest,
            type=_bounded(prop),
            choices=choices,
            default=default,
            metavar=None if choices else "VALUE",
            help=help_text,
        )


class _HelpFormatter(argparse.HelpFormatter):
    """Names each default once: after the help, unless the help already says it; none for an
    option without one (None), a switch that is off or an empty list."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if "default" in text or default is None or default is False or default in ([], {}, "", argparse.SUPPRESS):
            return text
        return f"{text} (default: {default})".lstrip()


def _add_setting(group, name: str, prop: dict, dest: str) -> None:
    """A config key as options: a section with keys of its own (``fasttext``, ``evaluation``, and
    within it ``sentiment_probe``) becomes one option per key, its dest the dotted key path."""
    if prop.get("type") == "object" and "properties" in prop:
        for key, sub in prop["properties"].items():
            _add_setting(group, key, sub, f"{dest}.{key}")
    else:
        _add_schema_option(group, name, prop, dest)


def _add_plain_option(parser, param: inspect.Parameter, hints: dict, help_text: str | None = None) -> None:
    """A parameter the schema does not know: a file (``--name PATH``), a number, a switch or a
    choice (``Literal[...]``); the mapping ``inputs`` (a step's files by layout name) is
    ``--input NAME=PATH``, repeatable.  ``help_text`` comes from the function's ``option_help``."""
    if param.name == "inputs":
        help_text = "a file of the run by its layout name (scripts/morphvec/layout.py); --run-dir gives the rest"
        parser.add_argument(
            "--input", dest="inputs", action="append", type=_parse_named_path, metavar="NAME=PATH", help=help_text
        )
        return
    hint = hints.get(param.name, "")
    text = str(hint)
    default = None if param.default is inspect.Parameter.empty else param.default
    if help_text is None and param.name in layout.FILES:  # a file of a run: where the workflow keeps it
        where = layout.FILES[param.name].replace("{shard}", "<shard>").replace("{variant}", "<variant>")
        help_text = f"{layout.RESULTS}/<run>/{where} (--run-dir gives it)"
    elif help_text is None and param.name in layout.SUMMARY_FILES:
        help_text = f"{layout.RESULTS}/{layout.SUMMARY_FILES[param.name]} in the workflow"
    option = {"dest": param.name, "default": default, "help": help_text}
    if typing.get_origin(hint) is typing.Literal:
        parser.add_argument(_option(param.name), choices=typing.get_args(hint), **option)
    elif "list" in text:
        parser.add_argument(_option(param.name), nargs="+", metavar="PATH" if "Path" in text else "VALUE", **option)
    elif isinstance(default, bool):
        parser.add_argument(_option(param.name), action=argparse.BooleanOptionalAction, **option)
    elif isinstance(default, int):
        parser.add_argument(_option(param.name), type=int, metavar="N", **option)
    else:
        parser.add_argument(_option(param.name), metavar="PATH" if "Path" in text else "VALUE", **option)


def build_parser(function: Callable, prog: str | None = None) -> argparse.ArgumentParser:
    """An ``argparse`` parser whose options are ``function``'s parameters."""
    doc = inspect.getdoc(function) or ""
    parser = argparse.ArgumentParser(
        prog=prog or f"{function.__name__}.py",
        description=doc.split("\n\n")[0],
        allow_abbrev=False,
        formatter_class=_HelpFormatter,
    )
    sections = getattr(function, "config_sections", ())
    hints = typing.get_type_hints(inspect.unwrap(function))
    settings = parser.add_argument_group("settings (config keys; defaults from config/schemas/config.schema.yaml)")
    for param in inspect.signature(function).parameters.values():
        if param.default is not SCHEMA_DEFAULT:
            _add_plain_option(parser, param, hints, getattr(function, "option_help", {}).get(param.name))
            continue
        _add_setting(settings, param.name, find_property(param.name, sections), param.name)
    if any(name in layout.FILES or name == "inputs" for name in inspect.signature(function).parameters):
        parser.add_argument("--run-dir", metavar="DIR", help="take every file not given from this run's results")
    parser.add_argument("--log", metavar="FILE", help="write the log here (default: the terminal)")
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace outputs that morphvec did not write (never an input's folder, a run's results, "
        "the checkout or your home)",
    )
    return parser


def kwargs_from_args(
    function: Callable, parser: argparse.ArgumentParser, args: argparse.Namespace
) -> tuple[dict, Any, bool]:
    """The function's keyword arguments from parsed options, the log path and ``--force``."""
    values = vars(args)
    log_path = values.pop("log")
    force = values.pop("force")
    run_dir = values.pop("run_dir", None)
    kwargs = _nested(values)
    for name, param in inspect.signature(function).parameters.items():
        per_job = "{" in layout.FILES.get(name, "")  # one file per shard or variant: give it explicitly
        if kwargs.get(name) is None and name in layout.FILES and run_dir is not None and not per_job:
            path = layout.run_file(name, run_dir)
            optional = param.default is None  # e.g. the fine-tuned model of a run without that step
            if not optional or Path(path).exists():
                kwargs[name] = path
    if "inputs" in kwargs:
        kwargs["inputs"] = {
            **(layout.existing_run_files(run_dir) if run_dir is not None else {}),
            **(kwargs["inputs"] or {}),
        }
    if "run" in kwargs and kwargs["run"] is None and run_dir is not None:
        kwargs["run"] = Path(run_dir).name
    missing = [
        _option(p.name)
        for p in inspect.signature(function).parameters.values()
        if p.default is inspect.Parameter.empty and kwargs.get(p.name) is None
    ]
    if missing:
        parser.error(f"the following arguments are required: {', '.join(missing)} (or --run-dir)")
    kwargs = {k: v for k, v in kwargs.items() if v is not None or k not in _schema_defaults(function)}
    return kwargs, log_path, force


def _nested(values: dict) -> dict[str, Any]:
    """Parsed options as keyword arguments: dotted dests (``evaluation.sentiment_probe.negative_max``)
    become nested mappings, ``NAME=PATH`` lists mappings."""
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        *outer, inner = key.split(".")
        mapping = kwargs
        for part in outer:
            mapping = mapping.setdefault(part, {})
        if value is not None or not outer:  # an option not given inside a section: the schema's default
            mapping[inner] = dict(value) if _is_named_paths(value) else value
    return kwargs


def _is_named_paths(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and isinstance(value[0], tuple)


def _schema_defaults(function: Callable) -> set[str]:
    return {p.name for p in inspect.signature(function).parameters.values() if p.default is SCHEMA_DEFAULT}


def show_result(result: Any) -> None:
    """Print what a step returns on stdout: its own text where it renders one (the query tool's
    table), else its statistics as JSON."""
    if hasattr(result, "render"):
        result.render(sys.stdout)
    elif result is not None:
        json.dump(result, sys.stdout, indent=2, ensure_ascii=False, sort_keys=True, default=str)
        sys.stdout.write("\n")
