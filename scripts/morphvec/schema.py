"""The config schema as the one home of every default.

``config/schemas/config.schema.yaml`` documents each key of a run and its default.  A step
function takes config values as keyword arguments under the config's own names; those
parameters default to :data:`SCHEMA_DEFAULT` and :func:`configured` fills in the schema's value
at call time, so the Snakefile, the command lines and Python callers share one default.
"""

import functools
import inspect
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from morphvec import bundle
from morphvec.errors import Problem

SCHEMA_PATH = bundle.SCHEMA


class _SchemaDefault:
    """Marks a parameter whose default is the schema's."""

    def __repr__(self) -> str:
        return "<schema default>"


SCHEMA_DEFAULT: Any = _SchemaDefault()


@functools.cache
def run_schema() -> dict:
    """The schema of one run (``$defs.run``)."""
    import yaml

    with open(SCHEMA_PATH, encoding="utf-8") as handle:
        return yaml.safe_load(handle)["$defs"]["run"]


def default_of(prop: dict) -> Any:
    """A property's default; for an object, its sub-properties' defaults (recursively)."""
    if prop.get("type") == "object" and "properties" in prop:
        return {key: default_of(sub) for key, sub in prop["properties"].items() if _has_default(sub)}
    return prop.get("default")


def _has_default(prop: dict) -> bool:
    return "default" in prop or (prop.get("type") == "object" and "properties" in prop)


def find_property(name: str, sections: tuple[str, ...]) -> dict | None:
    """The schema of config key ``name``: a run-level key, or a key inside one of ``sections``."""
    properties = run_schema()["properties"]
    if name in properties and name not in sections:
        return properties[name]
    for section in sections:
        inner = properties[section].get("properties", {})
        if name in inner:
            return inner[name]
    return None


def configured(*sections: str) -> Callable:
    """Decorate a step function whose :data:`SCHEMA_DEFAULT` parameters come from the config.

    ``sections`` name the run sections (``corpus``, ``tokenizer``, ...) whose keys the function
    takes; run-level keys (``trainer``, ``fasttext``) are found by name.  A mapping parameter
    (``fasttext``) given in part is completed from its defaults.
    """

    def decorate(function: Callable) -> Callable:
        signature = inspect.signature(function)
        schema_params = [p.name for p in signature.parameters.values() if p.default is SCHEMA_DEFAULT]
        for name in schema_params:
            if find_property(name, sections) is None:
                raise TypeError(f"{function.__name__}: no config key {name!r} in {sections or 'the run'}")

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            for name in schema_params:
                default = default_of(find_property(name, sections))
                given = kwargs.get(name, SCHEMA_DEFAULT)
                if given is SCHEMA_DEFAULT:
                    kwargs[name] = default
                elif isinstance(default, dict) and isinstance(given, dict) and default:
                    kwargs[name] = {**default, **given}
            return function(*args, **kwargs)

        wrapper.config_sections = sections
        return wrapper

    return decorate


# --- cross-key rules: what the schema cannot say key by key, checked once for config and CLI --


def fasttext_problems(fasttext: dict) -> list[Problem]:
    """fastText settings the schema accepts one by one but fastText cannot train with together.
    fastText itself would die of SIGFPE (``bucket: 0`` with n-grams: a hash modulo zero) or fail
    deep in gensim (``minn > maxn``)."""
    settings = {**default_of(run_schema()["properties"]["fasttext"]), **fasttext}
    minn, maxn, bucket = settings["minn"], settings["maxn"], settings["bucket"]
    problems = []
    if maxn and minn > maxn:
        problems.append(
            Problem("fasttext.minn", f"{minn} is above maxn: {maxn}", "set minn <= maxn (or maxn: 0 for no n-grams)")
        )
    if maxn and bucket == 0:
        problems.append(
            Problem(
                "fasttext.bucket",
                f"0 leaves n-grams of {minn}-{maxn} characters nowhere to go",
                "set bucket >= 1 or maxn: 0",
            )
        )
    if maxn and minn == 0:
        problems.append(
            Problem("fasttext.minn", "0 would make empty n-grams", "set minn >= 1 (or maxn: 0 for no n-grams)")
        )
    return problems


def subwords_problems(subwords: str, trainer: str, unit: str = "syllable", maxn: int = 1) -> list[Problem]:
    """A subword scheme other than fastText's needs gensim's trainer (fastText computes its own
    n-grams), syllable tokens (jamo tokens already give jamo n-grams) and n-grams at all."""
    schemes = run_schema()["properties"]["subwords"]["enum"]
    if subwords not in schemes:
        return [Problem("subwords", f"unknown subword scheme {subwords!r}", f"use one of {', '.join(schemes)}")]
    if subwords == "fasttext":
        return []
    if trainer != "gensim":
        return [Problem("subwords", f"{subwords} needs gensim's trainer", "set trainer: gensim")]
    if unit != "syllable":
        return [Problem("subwords", f"{subwords} writes the jamo n-grams itself", "set tokenizer.unit: syllable")]
    if not maxn:
        return [Problem("subwords", f"{subwords} adds jamo n-grams beside the syllable n-grams", "set fasttext.maxn")]
    return []


def variant_problems(variants: dict, dim: int) -> list[Problem]:
    """Compact-model variants that cannot be built: pieces must divide the dimension."""
    return [
        Problem(
            f"compress_vectors.variants.{name}.subvectors",
            f"{chosen['subvectors']} does not divide fasttext.dim {dim}",
            f"choose a divisor of {dim}",
        )
        for name, chosen in variants.items()
        if dim % chosen["subvectors"]
    ]


def tokenizer_problems(tokenizer: dict) -> list[Problem]:
    """Tokenizer settings that contradict each other: tags need a tokenizer that gives them."""
    from morphvec.tokenizers import TOKENIZERS

    section = run_schema()["properties"]["tokenizer"]
    name = tokenizer.get("name", default_of(section)["name"])
    if name not in TOKENIZERS:
        return [Problem("tokenizer.name", f"unknown tokenizer {name!r}", f"use one of {', '.join(TOKENIZERS)}")]
    units = section["properties"]["unit"]["enum"]
    if tokenizer.get("unit", units[0]) not in units:
        return [Problem("tokenizer.unit", f"unknown unit {tokenizer['unit']!r}", f"use one of {', '.join(units)}")]
    if tokenizer.get("pos") and not TOKENIZERS[name].tags:
        tagging = ", ".join(entry.name for entry in TOKENIZERS.values() if entry.tags)
        return [
            Problem(
                "tokenizer.pos",
                f"needs a tagging tokenizer, and {name} gives no tags",
                f"use name: {tagging}, or pos: false",
            )
        ]
    return []


def run_problems(run: dict) -> list[Problem]:
    """Every cross-key problem of one run's settings (defaults filled or not)."""
    fasttext = run.get("fasttext", {})
    compress = run.get("compress_vectors", {})
    dim = fasttext.get("dim", default_of(run_schema()["properties"]["fasttext"])["dim"])
    variants = compress.get("variants", {}) if compress.get("activate") else {}
    defaults = default_of(run_schema())
    subwords = subwords_problems(
        run.get("subwords", defaults["subwords"]),
        run.get("trainer", defaults["trainer"]),
        run.get("tokenizer", {}).get("unit", "syllable"),
        fasttext.get("maxn", defaults["fasttext"]["maxn"]),
    )
    from morphvec.hub_metadata import package_problems

    package = {**defaults["package"], **run.get("package", {})}
    return [
        *tokenizer_problems(run.get("tokenizer", {})),
        *fasttext_problems(fasttext),
        *subwords,
        *variant_problems(variants, dim),
        *package_problems(**package),
    ]


def raise_problems(problems: list[Problem]) -> None:
    """A CLI's or library call's settings: the first problem as a UserInputError."""
    from morphvec.errors import UserInputError

    if problems:
        raise UserInputError(f"{problems[0].key}: {problems[0].message}", problems[0].fix)


# --- config files: read strictly before Snakemake's loader hides the details ---------------


def _strict_loader():
    """A YAML SafeLoader that refuses a key given twice (PyYAML keeps the last one silently:
    a run name written twice would drop the first run without a word)."""
    import yaml

    class StrictLoader(yaml.SafeLoader):
        def construct_mapping(self, node, deep=False):
            seen: dict = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *anchor` may be overridden
                    continue
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        f"while reading the mapping that starts on line {node.start_mark.line + 1}",
                        node.start_mark,
                        f"the key {key!r} is given twice (lines {seen[key] + 1} and {key_node.start_mark.line + 1})",
                        key_node.start_mark,
                    )
                seen[key] = key_node.start_mark.line
            return super().construct_mapping(node, deep=deep)

    return StrictLoader


def config_file_problem(path: str | Path) -> str | None:
    """What is wrong with a config file, as one message naming the file and line; None if fine.

    Checks what Snakemake's loader does not say: a YAML syntax error's line, a key given twice,
    and a file without runs.  (The schema checks the values afterwards.)
    """
    import yaml

    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=_strict_loader())
    except OSError as error:
        fix = "check the path (relative paths start from the working directory)"
        return f"config file {path}: {error.strerror}\n  fix: {fix}"
    except UnicodeDecodeError as error:
        return f"config file {path}: not UTF-8 (byte {error.start})\n  fix: save it as UTF-8"
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        fix = (
            "give each key once (rename one of them)"
            if "given twice" in str(error.problem)
            else "correct the YAML there"
        )
        return f"config file {path}: {where}: {error.problem}\n  fix: {fix}"
    except yaml.YAMLError as error:
        return f"config file {path}: not valid YAML ({error})\n  fix: correct the YAML"
    unknown = [key for key in data if key != "runs"] if isinstance(data, dict) else []
    if unknown:
        with open(path, encoding="utf-8") as handle:
            line = next((n for n, text in enumerate(handle, 1) if text.startswith(f"{unknown[0]}:")), 1)
        return (
            f"config file {path}: line {line}: unknown key {unknown[0]!r} at the top level\n"
            "  fix: the top level holds one key, `runs:` (a mapping of run names to settings; see config/config.yaml)"
        )
    if not isinstance(data, dict) or not data.get("runs"):
        return (
            f"config file {path} defines no runs\n"
            "  fix: give it a `runs:` mapping of run names to settings (see config/config.yaml)"
        )
    return None


# --- config/README.md: every key, written from the schema ---------------------------------

REFERENCE_HEAD = """# Configuration

This file is written from `schemas/config.schema.yaml`, the one place a key's default and meaning
are written (`python -m morphvec.schema --reference > config/README.md`; a test keeps the two the
same). A config holds `runs:`, each a name and the keys below; a run's outputs go to
`results/<run>/`. The configs here: `config.yaml` (the bundled 30,000-review sample, what
`morphvec run` runs without `--configfile`), `full_nsmc.yaml` (the recommended configuration, on
the whole NSMC corpus), `sweep_nsmc.yaml` and `sweep_park.yaml` (the README's two sweeps).

A path that starts with `morphvec:` names a file bundled with morphvec
(`morphvec:resources/eval/WS353_korean.csv`), wherever morphvec is installed; any other path is
relative to the working directory.

| key | type | default | meaning |
|---|---|---|---|
"""


def _cell(value: Any) -> str:
    return " ".join(str(value).split()).replace("|", "\\|")


def _reference_rows(properties: dict, prefix: str = "") -> list[str]:
    rows = []
    for name, prop in properties.items():
        key = prefix + name
        if prop.get("type") == "object" and "properties" in prop:
            rows.append(f"| **`{key}`** | section | | {_cell(prop.get('description', ''))} |")
            rows += _reference_rows(prop["properties"], key + ".")
            continue
        kind = prop.get("type") or " or ".join(map(str, prop.get("enum", []))) or "value"
        kind = " or ".join(kind) if isinstance(kind, list) else kind
        value = prop.get("default")
        shown = value if isinstance(value, str) and value else json.dumps(value, ensure_ascii=False)  # as YAML
        default = "(required)" if "default" not in prop else f"`{_cell(shown)}`"
        meaning = prop.get("description") or (
            f"fastText's `{name}` (train_unsupervised)" if prefix == "fasttext." else ""
        )
        rows.append(f"| `{key}` | {_cell(kind)} | {default} | {_cell(meaning)} |")
    return rows


def config_reference() -> str:
    """``config/README.md``: every key of a run with its type, default and meaning."""
    return REFERENCE_HEAD + "\n".join(_reference_rows(run_schema()["properties"])) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python -m morphvec.schema CONFIG...``: check config files before Snakemake reads them;
    ``--reference``: print config/README.md."""
    import sys

    argv = argv if argv is not None else sys.argv[1:]
    if argv == ["--reference"]:
        sys.stdout.write(config_reference())
        return 0
    problems = [p for p in map(config_file_problem, argv) if p]
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 2 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
