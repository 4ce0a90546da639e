"""Shared plumbing for every step script: atomic outputs, logging, errors, entry points.

Each script in ``scripts/`` is a module of pure functions plus a thin entry point that works
both under Snakemake's ``script:`` directive and as a command-line tool.  The helpers here keep
those entry points to a few lines:

* :class:`UserInputError` is raised for anything the user can fix (a bad file, a wrong key);
  :func:`run_step` turns it into a one-paragraph message instead of a traceback.
* :func:`atomic_path` / :func:`atomic_open` write to a temporary sibling and rename on success,
  so an interrupted step never leaves a file that looks finished.
* :func:`log_to_file` sends Python logging *and* the C/C++ libraries' own output
  (fastText prints its progress straight to file descriptor 2) to the rule's log file.
"""

import contextlib
import json
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

log = logging.getLogger("morphvec")


class UserInputError(Exception):
    """An error in the user's input or configuration, reported without a traceback.

    The message must say which file (and line or key) is wrong and how to fix it.
    """


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str | None = None) -> Iterator[str]:
    """Yield a temporary path in the same directory; rename it to ``path`` on success.

    For libraries that insist on writing to a path themselves (fastText, gensim, numpy).
    ``suffix`` keeps an extension some writers append or check (e.g. ``.npy``).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=suffix if suffix is not None else ".tmp", dir=path.parent
    )
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_save_dir(path: str | os.PathLike) -> Iterator[str]:
    """Yield a path inside a fresh temporary directory beside ``path``.

    For writers that put sibling files next to the one they are given (gensim stores large
    arrays as ``<name>.<attr>.npy``): on success every file of the temporary directory moves
    beside ``path`` under its own name, the main file last, so a finished-looking main file
    always has its siblings.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp_dir = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        yield str(tmp_dir / path.name)
        siblings = sorted(p for p in tmp_dir.iterdir() if p.name != path.name)
        for produced in [*siblings, tmp_dir / path.name]:
            os.replace(produced, path.parent / produced.name)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", **kwargs: Any) -> Iterator[IO]:
    """Open a temporary sibling of ``path`` for writing; rename it into place on success."""
    if "b" not in mode:
        kwargs.setdefault("encoding", "utf-8")
    with atomic_path(path) as tmp, open(tmp, mode, **kwargs) as handle:
        yield handle


def write_json(path: str | os.PathLike, data: Any) -> None:
    """Write ``data`` as pretty, key-sorted UTF-8 JSON, atomically."""
    with atomic_open(path) as handle:
        json.dump(data, handle, indent=2, sort_keys=True, ensure_ascii=False)
        handle.write("\n")


def read_json(path: str | os.PathLike) -> Any:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def require_file(path: str | os.PathLike, what: str, fix: str) -> Path:
    """Return ``path`` as a Path, or raise a UserInputError naming it and the fix."""
    path = Path(path)
    if not path.is_file():
        raise UserInputError(f"{what} not found: {path}\n  fix: {fix}")
    return path


@contextlib.contextmanager
def log_to_file(log_path: str | os.PathLike | None) -> Iterator[None]:
    """Route logging and the process's stdout/stderr file descriptors to ``log_path``.

    Redirecting the descriptors (not just ``sys.stderr``) is what captures output written by
    compiled code, such as fastText's training progress.
    """
    handlers: list[logging.Handler] = []
    saved_fds: list[tuple[int, int]] = []
    log_file = None
    if log_path is not None:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        log_file = open(log_path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115
        sys.stdout.flush()
        sys.stderr.flush()
        for fd in (1, 2):
            saved_fds.append((fd, os.dup(fd)))
            os.dup2(log_file.fileno(), fd)
        handlers.append(logging.StreamHandler(log_file))
    else:
        handlers.append(logging.StreamHandler(sys.stderr))
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    root = logging.getLogger()
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    previous_level = root.level
    root.setLevel(logging.INFO)
    try:
        yield
    finally:
        for handler in handlers:
            root.removeHandler(handler)
        root.setLevel(previous_level)
        sys.stdout.flush()
        sys.stderr.flush()
        for fd, saved in saved_fds:
            os.dup2(saved, fd)
            os.close(saved)
        if log_file is not None:
            log_file.close()


def run_step(step: Callable[[], Any], log_path: str | os.PathLike | None = None) -> int:
    """Run one pipeline step; return a process exit code.

    A :class:`UserInputError` becomes a short message (in the log and on the terminal) and
    exit code 2; anything else is a bug and keeps its traceback.
    """
    try:
        with log_to_file(log_path):
            step()
    except UserInputError as error:
        message = f"error: {error}"
        if log_path is not None:
            with open(log_path, "a", encoding="utf-8") as handle:
                handle.write(message + "\n")
        print(message, file=sys.stderr)
        return 2
    return 0


def snakemake_log(snakemake: Any) -> str | None:
    """The first log file of a Snakemake job, if the rule declares one."""
    return snakemake.log[0] if len(snakemake.log) else None
