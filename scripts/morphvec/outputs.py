"""The rule for every path morphvec writes: never delete, truncate or replace what it did not write.

Every writer of the step runtime (:func:`morphvec.runtime.atomic_path` and its siblings, the
``--log`` of every command line) asks :func:`claim` before it writes, and :func:`mark` records
what it wrote afterwards:

* a path that does not exist, or an empty directory where a directory goes, is free;
* a file or directory morphvec wrote and nobody changed since is replaced: the record is an
  extended attribute (``user.morphvec``) holding the size, inode and a hash of the first and last
  64 KiB of the file, or of every file of a directory output (:func:`_stamp`), so an edited
  package or a hand-written file is not ours any more;
* anything else (a user's file or folder, a symbolic link, a file where a directory goes, our
  file changed by hand) is one message naming the path and the way out: another path, or
  ``--force`` (:func:`forcing`);
* even with ``--force``, never a directory that holds a run's results or morphvec's outputs,
  the checkout, the user's home, the working directory or one of its parents, or a parent of
  any input of the command (:func:`protect`).

A folder is replaced in one step (:func:`put_in_place`), so an interrupted replacement leaves
the old folder or the new one.

A file system without user extended attributes (some network file systems) keeps no record:
there a second write to the same path needs ``--force``, and the message says why.
"""

import contextlib
import errno
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from morphvec import bundle
from morphvec.errors import UserInputError

ATTRIBUTE = "user.morphvec"
# Files that only a run directory holds: a directory with one of them (or a child with one) is a run's
# results, or the folder of several runs.
RUN_FILES = ("ro-crate-metadata.json", "report/metrics.json")
# A forced replacement looks through at most this many entries for morphvec's own outputs.
SCAN_LIMIT = 100_000

_state: dict = {"force": False, "inputs": ()}


@contextlib.contextmanager
def forcing(force: bool, inputs: Iterable[str | os.PathLike] = ()) -> Iterator[None]:
    """Within: ``force`` lets a user's file or folder be replaced (``--force``), and ``inputs``
    are the command's input files, whose parents are never replaced."""
    saved = dict(_state)
    _state.update(force=force, inputs=tuple(Path(p) for p in inputs if p))
    try:
        yield
    finally:
        _state.update(saved)


# --- the record of what morphvec wrote -------------------------------------------------------


FINGERPRINT_BYTES = 64 * 1024
# The empty file Snakemake adds to a directory() output after its job: not a change of the folder.
SNAKEMAKE_MARKER = ".snakemake_timestamp"


def _stamp(path: Path) -> list:
    """What identifies a file as written: its size, its inode (an editor that saves a new file
    changes it) and a hash of its first and last 64 KiB (a small file whole).  Not its time:
    Snakemake touches a job's outputs after the job."""
    import hashlib

    status = path.lstat()
    if path.is_symlink():
        return [status.st_size, status.st_ino, os.readlink(path)]
    digest = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as handle:
        digest.update(handle.read(FINGERPRINT_BYTES))
        if status.st_size > FINGERPRINT_BYTES:
            handle.seek(max(FINGERPRINT_BYTES, status.st_size - FINGERPRINT_BYTES))
            digest.update(handle.read(FINGERPRINT_BYTES))
    return [status.st_size, status.st_ino, digest.hexdigest()]


def _entries(directory: Path) -> str:
    """One hash of every file's name and :func:`_stamp` in a folder: an extended attribute holds a
    few KiB at most (ext4: one block), and a rerun's folder holds thousands of files."""
    import hashlib

    stamps = [
        [str(path.relative_to(directory)), _stamp(path)]
        for path in sorted(directory.rglob("*"))
        if (path.is_file() or path.is_symlink()) and path.name != SNAKEMAKE_MARKER
    ]
    return hashlib.blake2b(json.dumps(stamps).encode(), digest_size=16).hexdigest()


def mark(path: str | os.PathLike, kind: str = "file") -> None:
    """Record that morphvec wrote ``path`` (``kind``: ``file``, ``dir`` or ``log``, a file that
    morphvec appends to).  Where the file system keeps no extended attributes nothing is recorded."""
    path = Path(path)
    record: dict = {"kind": kind}
    if kind == "file":
        record["stamp"] = _stamp(path)
    elif kind == "dir":
        record["entries"] = _entries(path)
    with contextlib.suppress(OSError):  # ENOTSUP, EPERM: no record, so a rewrite will need --force
        os.setxattr(path, ATTRIBUTE, json.dumps(record, separators=(",", ":")).encode(), follow_symlinks=False)


def _record(path: Path) -> dict | None:
    try:
        return json.loads(os.getxattr(path, ATTRIBUTE, follow_symlinks=False))
    except (OSError, ValueError):
        return None


def written_by_morphvec(path: str | os.PathLike, kind: str = "file") -> bool:
    """Whether ``path`` is a ``kind`` output morphvec wrote and nobody changed since."""
    path = Path(path)
    record = _record(path)
    if record is None or record.get("kind") != kind or path.is_symlink():
        return False
    if kind == "dir":
        return path.is_dir() and record.get("entries") == _entries(path)
    if kind == "file":
        return path.is_file() and record.get("stamp") == _stamp(path)
    return path.is_file()


# --- replacing a folder in one step ---------------------------------------------------------


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False where the C
    library or the file system cannot (then the caller falls back to two renames)."""
    import ctypes

    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange) == 0:
        return True
    number = ctypes.get_errno()
    if number in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(number, os.strerror(number), str(second))


def _replaced_name(path: Path) -> Path:
    return path.parent / f".{path.name}.moved-aside"


def put_in_place(new: Path, path: Path) -> None:
    """``new`` becomes ``path``; what ``path`` was is removed after the swap."""
    if not os.path.lexists(path):
        os.replace(new, path)
    elif _exchange(new, path):
        _remove(new)  # now the old folder; a kill here leaves a temporary the next write removes
    else:
        aside = _replaced_name(path)
        os.replace(path, aside)  # a kill between these renames: restore_replaced puts it back
        os.replace(new, path)
        _remove(aside)


def restore_replaced(path: Path) -> None:
    """Put back the folder that a replacement without ``renameat2`` moved aside and could not
    finish (the process was killed between its two renames)."""
    aside = _replaced_name(path)
    if os.path.lexists(aside):
        if os.path.lexists(path):
            _remove(aside)
        else:
            os.replace(aside, path)


# --- the rule ---------------------------------------------------------------------------------


def _within(inner: Path, outer: Path) -> bool:
    return inner == outer or outer in inner.parents


def _holds_outputs(directory: Path, scan: bool) -> str | None:
    """Why ``directory`` holds morphvec's results (a run's files, a file a step wrote), or None."""
    for name in RUN_FILES:
        if (directory / name).is_file() or any((child / name).is_file() for child in _subdirectories(directory)):
            return "it holds a morphvec run's results"
    if not scan:
        return None
    for number, path in enumerate(directory.rglob("*")):
        if number >= SCAN_LIMIT:
            return f"it holds more than {SCAN_LIMIT:,} files, too many to check for morphvec's own outputs"
        record = _record(path) if path.is_file() and not path.is_symlink() else None
        if record is not None and record.get("kind") != "log":
            return f"it holds {path}, an output morphvec wrote"
    return None


def _subdirectories(directory: Path) -> list[Path]:
    with contextlib.suppress(OSError):
        return [child for child in directory.iterdir() if child.is_dir() and not child.is_symlink()]
    return []


def _never_replaced(path: Path, scan: bool = True) -> str | None:
    """Why ``path`` may not be replaced even with ``--force``, or None; ``scan``: look through a
    folder for morphvec's outputs too (not in a folder morphvec wrote whole, a rerun's say)."""
    real = path.resolve()
    places = [
        (Path.home().resolve(), "your home directory"),
        (Path.cwd().resolve(), "the working directory"),
        (bundle.WORKFLOW, "morphvec's checkout (its workflow folder)"),
    ]
    for place, name in places:
        if _within(place, real) or _within(place, path.absolute()):
            return f"it is {name} or one of its parents" if real != place else f"it is {name}"
    for given in _state["inputs"]:  # the output itself is among them when it exists already
        if given.absolute() == path.absolute():
            continue
        if _within(given.absolute(), path.absolute()) or _within(given.resolve(), real):
            return f"it holds {given}, an input of this command"
    if real.is_dir() and not path.is_symlink():
        return _holds_outputs(real, scan)
    return None


def _refuse(path: Path, what: str, force_helps: bool) -> UserInputError:
    way_out = "give a new path (or an empty directory)"
    if force_helps:
        way_out += ", or add --force to replace it (what it holds is lost)"
    return UserInputError(f"{path}: {what}; morphvec does not replace what it did not write", way_out)


def claim(path: str | os.PathLike, kind: str = "file") -> None:
    """Raise a UserInputError unless ``path`` may be written as a ``kind`` output (see the module
    docstring).  ``kind``: ``file``, ``dir`` (a folder output, replaced whole) or ``log``."""
    path = Path(path)
    if not os.path.lexists(path):
        return
    is_dir = path.is_dir() and not path.is_symlink()
    if kind != "dir" and is_dir:
        raise _refuse(path, "it is a directory where a file goes", force_helps=False)
    if is_dir and not any(path.iterdir()):
        return
    if written_by_morphvec(path, kind):
        if kind == "dir" and (reason := _never_replaced(path, scan=False)):
            raise _refuse(path, reason, force_helps=False)
        return
    what = _what_is_there(path, kind, is_dir)
    if is_dir and (reason := _never_replaced(path)):  # said first: --force would not help
        raise _refuse(path, f"{what}, and {reason}", force_helps=False)
    if not _state["force"]:
        raise _refuse(path, what, force_helps=True)


def _what_is_there(path: Path, kind: str, is_dir: bool) -> str:
    """What stands at ``path`` that morphvec may not replace without ``--force``."""
    if path.is_symlink():
        return f"it is a symbolic link (to {os.readlink(path)})"
    if kind == "dir" and not is_dir:
        return "it is a file where a directory goes"
    if is_dir:
        return "it is a directory that holds files morphvec did not write (or that were changed since)"
    what = "the file exists and morphvec did not write it (or it was changed since)"
    if _record(path) is None and not _keeps_records(path.parent):
        what += "; this file system keeps no record of what morphvec wrote"
    return what


def _keeps_records(directory: Path) -> bool:
    """Whether files in ``directory`` can carry morphvec's record (user extended attributes)."""
    try:
        os.getxattr(directory, ATTRIBUTE)
    except OSError as error:
        return error.errno not in (errno.ENOTSUP, errno.EOPNOTSUPP)
    return True
