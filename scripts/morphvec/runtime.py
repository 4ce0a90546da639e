"""The step runtime: every step's log, atomic outputs and error handling, in one place.

A step is a plain function (see :mod:`morphvec.cli` for how its signature becomes a command
line).  :func:`run_snakemake` and :func:`run_cli` run it:

* its logging and the process's own stdout/stderr (fastText prints to file descriptor 2) go to
  the rule's log file;
* outputs are written through :func:`atomic_path` / :func:`atomic_open` /
  :func:`atomic_save_dir`: a temporary sibling renamed on success, so an interrupted step never
  leaves a file that looks finished;
* every failure ends as **one message** on the terminal naming the file (and line or key) and
  the fix: :class:`UserInputError` as written, ``OSError`` with its path, reason and a fix chosen
  by its errno, and anything else as "internal error" with the traceback in the log only.
"""

import atexit
import contextlib
import errno
import inspect
import json
import logging
import os
import re
import shutil
import signal
import sys
import tempfile
import time
import traceback
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, NoReturn

from morphvec import outputs
from morphvec.errors import UserInputError

log = logging.getLogger("morphvec")

__all__ = ["UserInputError"]  # raised by every step; defined in morphvec.errors, which imports nothing

EXIT_USER_ERROR = 2
EXIT_INTERNAL_ERROR = 1


# --- outputs -------------------------------------------------------------------------------


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _name_unnamed_os_error(error: BaseException, path: Path) -> None:
    """A failed write (a full disk, a file-size limit) raises OSError without a file name: name it."""
    if isinstance(error, OSError) and error.filename is None:
        error.filename = str(path)


def _temporary_name(name: str) -> re.Pattern:
    """The names ``tempfile.mkstemp``/``mkdtemp`` give temporaries of ``name`` here:
    ``.<name>.`` + 8 characters of its alphabet + an optional suffix."""
    return re.compile(rf"\.{re.escape(name)}\.[a-z0-9_]{{8}}(\.[A-Za-z0-9]+)?")


def remove_leftovers(path: Path) -> None:
    """Remove temporaries of ``path`` that a killed writer left behind.

    Called just before ``path`` is written again: only one job writes a given output (Snakemake
    guarantees it, and its lock keeps a second workflow out), so an older temporary of the same
    output can only come from an interrupted run (``kill -9``, a node failure).
    """
    if not path.parent.is_dir():
        return
    pattern = _temporary_name(path.name)
    for leftover in path.parent.iterdir():
        if pattern.fullmatch(leftover.name):
            log.info("removing %s, left by an interrupted run", leftover)
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str | None = None) -> Iterator[str]:
    """Yield a temporary path in the same directory; rename it to ``path`` on success.

    For libraries that insist on writing to a path themselves (fastText, gensim, numpy).
    ``suffix`` keeps an extension some writers append or check (e.g. ``.npy``).  Temporaries of
    ``path`` left by a killed earlier attempt are removed first; a ``path`` that morphvec did not
    write is refused (:func:`morphvec.outputs.claim`).
    """
    path = Path(path)
    outputs.claim(path, "file")
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(path)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=suffix if suffix is not None else ".tmp", dir=path.parent
    )
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; give the usual permissions
        os.replace(tmp, path)
        outputs.mark(path)
    except BaseException as error:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        _name_unnamed_os_error(error, path)
        raise


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", **kwargs: Any) -> Iterator[IO]:
    """Open a temporary sibling of ``path`` for writing; rename it into place on success."""
    if "b" not in mode:
        kwargs.setdefault("encoding", "utf-8")
    with atomic_path(path) as tmp, open(tmp, mode, **kwargs) as handle:
        yield handle


@contextlib.contextmanager
def atomic_save_dir(path: str | os.PathLike) -> Iterator[str]:
    """Yield a path inside a fresh temporary directory beside ``path``.

    For writers that put sibling files next to the one they are given (gensim stores large
    arrays as ``<name>.<attr>.npy``): on success every file of the temporary directory moves
    beside ``path`` under its own name, the main file last, so a finished-looking main file
    always has its siblings.
    """
    path = Path(path)
    outputs.claim(path, "file")
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(path)
    tmp_dir = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        yield str(tmp_dir / path.name)
        siblings = sorted(p for p in tmp_dir.iterdir() if p.name != path.name)
        for produced in siblings:  # every target is checked before the first one moves
            outputs.claim(path.parent / produced.name, "file")
        for produced in [*siblings, tmp_dir / path.name]:
            os.replace(produced, path.parent / produced.name)
            outputs.mark(path.parent / produced.name)
    except BaseException as error:
        _name_unnamed_os_error(error, path)
        raise
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike, keep_on_failure: bool = False) -> Iterator[str]:
    """Yield a fresh temporary directory beside ``path``; on success it takes the place of
    ``path`` (a directory output, whole or not at all).

    A ``path`` that morphvec did not write is refused (:func:`morphvec.outputs.claim`).  An
    older ``path`` is swapped with the new folder in one step (``renameat2``'s exchange) and
    then removed, so an interruption leaves the old folder or the new one, never half of each;
    ``keep_on_failure`` keeps a failed attempt's folder for its logs (the next attempt removes it).
    """
    path = Path(path)
    outputs.claim(path, "dir")
    path.parent.mkdir(parents=True, exist_ok=True)
    outputs.restore_replaced(path)
    remove_leftovers(path)
    tmp_dir = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        yield str(tmp_dir)
        os.chmod(tmp_dir, 0o777 & ~_umask())  # mkdtemp creates 0700; give the usual permissions
        outputs.mark(tmp_dir, "dir")  # before the swap: an interruption after it leaves a folder that is ours
        outputs.put_in_place(tmp_dir, path)
    except BaseException as error:
        if not keep_on_failure:
            shutil.rmtree(tmp_dir, ignore_errors=True)
        _name_unnamed_os_error(error, path)
        raise


def write_json(path: str | os.PathLike, data: Any) -> None:
    """Write ``data`` as pretty, key-sorted UTF-8 JSON, atomically."""
    with atomic_open(path) as handle:
        json.dump(data, handle, indent=2, sort_keys=True, ensure_ascii=False)
        handle.write("\n")


def read_json(path: str | os.PathLike) -> Any:
    with open(path, encoding="utf-8") as handle:
        try:
            return json.load(handle)
        except json.JSONDecodeError as error:
            raise UserInputError(
                f"{path}: line {error.lineno}: not valid JSON ({error.msg})",
                "rerun the step that writes it (delete the file first)",
            ) from None
        except UnicodeDecodeError as error:  # JSON is UTF-8 text: this is another kind of file
            raise UserInputError(
                f"{path}: byte {error.start}: not UTF-8 text, so not a JSON file morphvec wrote",
                "give the JSON file the step wrote, or rerun that step (delete the file first)",
            ) from None


def require_file(path: str | os.PathLike, what: str, fix: str) -> Path:
    """Return ``path`` as a Path, or raise a UserInputError naming it and the fix."""
    path = Path(path)
    if path.is_dir():
        raise UserInputError(f"{what} {path} is a directory, not a file", fix)
    if not path.is_file():
        raise UserInputError(f"{what} not found: {path}", fix)
    return path


# --- logging -------------------------------------------------------------------------------


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


# --- failures ------------------------------------------------------------------------------

# What the user can do about an operating-system error, by errno.
_OS_ERROR_FIXES = {
    errno.ENOSPC: "free space on the file system that holds it (`df -h`), then rerun",
    errno.EDQUOT: "free space or raise your disk quota, then rerun",
    errno.EFBIG: "raise the file-size limit (`ulimit -f`, or the cluster job's limit), then rerun",
    errno.EACCES: "check the permissions of the file and its directory (`ls -l`)",
    errno.EPERM: "check the permissions of the file and its directory (`ls -l`)",
    errno.EROFS: "write the results to a writable file system (run from another directory)",
    errno.EISDIR: "it is a directory: remove it, or give a file path",
    errno.ENOTDIR: "a part of the path is a file, not a directory: check the path",
    errno.ENOENT: "check the path (relative paths start from the working directory)",
    errno.EIO: "the storage reported an I/O error: check the disk or network file system",
}


def describe_os_error(error: OSError, files: list[str] | None = None) -> str:
    """One message for an OSError: the path, the reason and what to do.  An error raised by a
    read or write on an open file carries no name (an I/O error of the disk, say): then the
    message lists the step's files, one of which it was."""
    where = error.filename
    if where is None:
        where = f"one of {', '.join(files[:6])}{' …' if len(files) > 6 else ''}" if files else "a file"
    reason = error.strerror or str(error)
    fix = _OS_ERROR_FIXES.get(error.errno, "check the file and the file system, then rerun")
    return f"{where}: {reason}\n  fix: {fix}"


def _traceback_file(log_path: str | os.PathLike | None, step: str) -> Path:
    """Where an internal error's traceback goes: a file beside the rule's log (Snakemake shows the
    log itself on failure, and the screen gets one message), or one of its own."""
    if log_path is not None:
        return Path(f"{log_path}.traceback")
    directory = Path(tempfile.gettempdir()) / "morphvec"
    directory.mkdir(parents=True, exist_ok=True)
    return directory / f"{step}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"


def failure_message(
    error: BaseException, step: str, log_path: str | os.PathLike | None, files: list[str] | None = None
) -> tuple[str, int]:
    """The one message (and exit code) for a failed step; internal errors log their traceback."""
    if isinstance(error, UserInputError):
        return f"error: {error}", EXIT_USER_ERROR
    if isinstance(error, OSError):
        return f"error: {describe_os_error(error, files)}", EXIT_USER_ERROR
    if isinstance(error, MemoryError):
        return (
            f"error: {step} ran out of memory\n  fix: give the job more memory (resources mem_mb) or "
            "lower fasttext.bucket / fasttext.dim",
            EXIT_USER_ERROR,
        )
    target = _traceback_file(log_path, step)
    with open(target, "a", encoding="utf-8") as handle:
        handle.write("".join(traceback.format_exception(error)))
    outputs.mark(target, "log")
    summary = f"{type(error).__name__}: {error}".splitlines()[0][:300]
    return (
        f"error: internal error in {step}: {summary}\n  the traceback is in {target}; please report it with that file",
        EXIT_INTERNAL_ERROR,
    )


def memory_mib() -> tuple[float, float]:
    """``(now, peak)``: this process's resident memory in MiB, for the logs (bench/ reads the
    report's, section by section).  ``now`` is nan where ``/proc`` is missing."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    try:
        status = Path("/proc/self/status").read_text().splitlines()
        now = next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS:"))
    except (OSError, StopIteration):
        now = float("nan")
    return now, peak


def release_memory() -> None:
    """Collect garbage and hand glibc's freed heap back to the system (``malloc_trim``): after a
    section of the report, what it built and dropped would otherwise stay in the RSS of the
    next ones (measured on full NSMC).  Does nothing where glibc is not the allocator."""
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # another C library: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def run_step(
    step: Callable[[], Any],
    log_path: str | os.PathLike | None = None,
    name: str = "step",
    files: list[str] | None = None,
) -> int:
    """Run one step; return a process exit code, never raising (but for Ctrl-C).

    The message of a failure goes to the log and to the terminal's stderr, without traceback.
    SIGXFSZ is ignored so that a file-size limit becomes an ``EFBIG`` error with a message
    instead of killing the process.
    """
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    if log_path is not None:  # a traceback left by an earlier failure of this step is stale now
        stale = Path(f"{log_path}.traceback")
        if outputs.written_by_morphvec(stale, "log"):  # never a file of the user's of that name
            stale.unlink()
    try:
        with log_to_file(log_path):
            step()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # every failure becomes one message
        message, code = failure_message(error, name, log_path, files)
        if log_path is not None:
            with open(log_path, "a", encoding="utf-8") as handle:
                handle.write(message + "\n")
        print(message, file=sys.stderr)
        return code
    return 0


def check_distinct_files(kwargs: dict) -> None:
    """Stop when two file parameters name the same file: an output would overwrite an input
    (``--corpus x --tokens x`` would replace the corpus by its own tokens)."""
    seen: dict[str, str] = {}
    for name, value in kwargs.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if not isinstance(item, (str, os.PathLike)) or not str(item):
                continue
            key = os.path.realpath(item)
            if key in seen and seen[key] != name:
                raise UserInputError(
                    f"--{seen[key].replace('_', '-')} and --{name.replace('_', '-')} name the same file {item}",
                    "give every output its own path (an output would overwrite an input)",
                )
            seen[key] = name


# --- entry points --------------------------------------------------------------------------


def snakemake_kwargs(function: Callable, sm: Any) -> dict:
    """A step function's keyword arguments from a Snakemake job.

    Named inputs, outputs and params map onto the parameters of the same name (a function with an
    ``inputs`` parameter gets the named inputs it has no parameter for in that mapping); the param
    ``config`` holds config values under their own keys (= the function's keyword names) and is
    spread; ``threads`` and wildcards (``run``, ``shard``) are passed where the function takes them.
    """
    accepted = inspect.signature(function).parameters
    kwargs: dict[str, Any] = {}
    for name, value in [*sm.input.items(), *sm.output.items()]:
        value = list(value) if isinstance(value, list) else value
        if name not in accepted and "inputs" in accepted:  # a step that reads many of its run's files
            kwargs.setdefault("inputs", {})[name] = value
        else:
            kwargs[name] = value
    for name, value in sm.params.items():
        if name == "config":
            kwargs.update(value)
        else:
            kwargs[name] = value
    if "threads" in accepted:
        kwargs["threads"] = sm.threads
    for name, value in sm.wildcards.items():
        if name in accepted:
            kwargs[name] = value
    return kwargs


def run_snakemake(function: Callable, sm: Any) -> int:
    """Run ``function`` for a Snakemake ``script:`` job; return the exit code."""
    log_path = sm.log[0] if len(sm.log) else None
    files = [str(path) for path in [*sm.input, *sm.output]]
    code = run_step(lambda: function(**snakemake_kwargs(function, sm)), log_path, sm.rule, files)
    if log_path is not None and Path(log_path).is_file():  # a step rerun by hand may append to it (--log)
        outputs.mark(log_path, "log")
    return code


def run_cli(function: Callable, argv: list[str] | None = None, prog: str | None = None) -> int:
    """Run ``function`` as a command-line tool (options from its signature and the schema).

    ``--force`` lets the outputs replace a user's files (never an input's folder, a run's
    results, the checkout or the home directory: :mod:`morphvec.outputs`); ``--log`` appends
    to a log morphvec wrote, or starts a new one."""
    from morphvec import cli

    parser = cli.build_parser(function, prog)
    args = parser.parse_args(argv)
    kwargs, log_path, force = cli.kwargs_from_args(function, parser, args)
    results: list = []
    files = {name: value for name, value in kwargs.items() if _is_file_parameter(function, name)}
    named = [str(item) for value in files.values() for item in (value if isinstance(value, list) else [value]) if item]
    inputs = [path for path in [*named, *_paths_in(kwargs.get("inputs"))] if Path(path).exists()]

    def step() -> None:
        check_distinct_files(files)
        with outputs.forcing(force, inputs):
            results.append(function(**kwargs))

    try:
        if log_path is not None:
            with outputs.forcing(force, inputs):
                outputs.claim(log_path, "log")
                outputs.claim(f"{log_path}.traceback", "log")
    except UserInputError as error:
        print(f"error: --log {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    code = run_step(step, log_path, function.__name__, named)
    if log_path is not None and Path(log_path).is_file():
        outputs.mark(log_path, "log")
    if results:  # printed after the log's redirection ends: the result belongs on the terminal
        show(cli.show_result, results[0])
        failure = getattr(results[0], "failure", lambda: None)()
        if failure:  # an answer that is no answer (the query tool's): one message, a failing exit
            print(f"error: {failure}", file=sys.stderr)
            return EXIT_USER_ERROR
    return code


def show(write: Callable, *args: Any) -> None:
    """Print a result; a reader that stopped reading (``| head``) is not an error (Python's advice
    for SIGPIPE: the rest of the output goes nowhere, quietly)."""
    try:
        write(*args)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _paths_in(inputs: dict | None) -> list[str]:
    """The paths of an ``inputs`` mapping (a layout name -> a path or a list of paths)."""
    values = (inputs or {}).values()
    return [str(item) for value in values for item in (value if isinstance(value, list) else [value]) if item]


def _is_file_parameter(function: Callable, name: str) -> bool:
    """Parameters annotated with ``Path`` are files (as in :mod:`morphvec.cli`)."""
    return "Path" in str(typing.get_type_hints(inspect.unwrap(function)).get(name, ""))


def end_process(code: int) -> NoReturn:
    """End a step's process once its outputs and log are written, without Python's finalisation.

    Tearing down the objects of torch, gensim and sklearn took longer than many steps' work
    (measured: 0.5 s after ``import torch``, 1.2 s with the report's libraries), on every job.
    What finalisation would do that matters still happens: ``atexit`` handlers run (a
    multiprocessing pool's clean-up, temporary directories), log handlers and the standard
    streams are flushed -- as multiprocessing ends its own child processes.
    """
    atexit._run_exitfuncs()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe or stream
            stream.flush()
    os._exit(code)


def main(function: Callable, namespace: dict) -> None:
    """The whole entry point of a step script: ``runtime.main(step_function, globals())``.

    Under Snakemake's ``script:`` directive the job's ``snakemake`` object is in the script's
    globals; run directly, the script is a command-line tool.  Either way the process ends
    through :func:`end_process`.
    """
    if "snakemake" in namespace:
        end_process(run_snakemake(function, namespace["snakemake"]))
    elif namespace.get("__name__") == "__main__":
        fixed_hash_seed()
        end_process(run_cli(function))


def fixed_hash_seed() -> None:
    """Restart this process with ``PYTHONHASHSEED=0`` unless it has it, as every step under the
    Snakefile has (see :func:`morphvec.workflow.workflow_for` on why hashing must be seeded)."""
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})
