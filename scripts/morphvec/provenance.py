"""What produced a result: versions, the project's commit, the platform."""

import functools
import hashlib
import os
import platform
import subprocess
from collections.abc import Callable, Iterator
from importlib import metadata

from morphvec import bundle

PACKAGES = (
    "fasttext",
    "gensim",
    "numpy",
    "scipy",
    "torch",
    "safetensors",
    "python-mecab-ko",
    "python-mecab-ko-dic",
    "scikit-learn",
    "matplotlib",
    "snakemake",
)


@functools.cache
def versions() -> dict[str, str]:
    """Python's and the libraries' versions ('not installed' where one is missing)."""
    found = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def _git(*args: str) -> str | None:
    """git's answer about morphvec's own checkout; None for an installed wheel, which may sit inside
    some other repository (a project's virtual environment) whose commit is not morphvec's."""
    if bundle.INSTALLED:
        return None
    try:
        command = ["git", *args]
        result = subprocess.run(command, cwd=bundle.WORKFLOW, capture_output=True, text=True, check=False, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


@functools.cache
def source() -> dict:
    """morphvec's version, the project's git commit and whether the working tree had uncommitted
    changes."""
    from morphvec import __version__

    commit = _git("rev-parse", "HEAD")
    status = _git("status", "--porcelain", "--untracked-files=no")
    found = {
        "commit": commit or ("none (an installed wheel)" if bundle.INSTALLED else "unknown (not a git checkout)"),
        "dirty": bool(status) if status is not None else None,
    }
    found["version"] = __version__
    found["date"] = _git("log", "-1", "--format=%cs")  # the commit's date (YYYY-MM-DD), not today's
    return found


def platform_name() -> str:
    return f"{platform.system()} {platform.release()} {platform.machine()}"


def sha256(path: str | os.PathLike) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def file_record(path: str | os.PathLike) -> dict:
    """A file as provenance names it: the path as given, its size and its SHA-256."""
    return {"path": str(path), "bytes": os.path.getsize(path), "sha256": sha256(path)}


def _input_slots(settings: dict) -> Iterator[tuple[str, dict, str]]:
    """``(config key, mapping, field)`` of every file a run reads from outside ``results/``."""
    yield "corpus.path", settings["corpus"], "path"
    for kind in ("similarity", "analogy", "sts"):
        files = settings["evaluation"][kind]
        for name in files:
            yield f"evaluation.{kind}.{name}", files, name
    finetune = settings.get("finetune_word2vec", {})
    if finetune.get("activate"):
        yield "finetune_word2vec.pretrained", finetune, "pretrained"
    tune = settings.get("tune_static", {})
    if tune.get("activate"):
        yield "tune_static.pairs", tune, "pairs"


def run_inputs(settings: dict) -> dict[str, str]:
    """The files a run reads from outside ``results/``, by config key."""
    return {key: mapping[field] for key, mapping, field in _input_slots(settings)}


def change_inputs(settings: dict, change: Callable[[str], str]) -> dict:
    """``settings`` with ``change`` applied to the path of every file of :func:`run_inputs`, in place
    (``morphvec:`` paths resolved, paths made absolute for a module with a prefix)."""
    for _, mapping, field in _input_slots(settings):
        mapping[field] = change(mapping[field])
    return settings
