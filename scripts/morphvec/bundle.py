"""The files that travel with morphvec: the Snakefile, config/, profiles/, envs/, the step scripts and
the bundled corpus and evaluation files.

In a checkout they are the checkout's own top-level folders; an installed wheel carries them as
package data in ``morphvec/workflow_files`` (``pyproject.toml`` maps them there, leaving the
checkout's layout as it is).  Found once, here, through :mod:`importlib.resources`.

A config names a bundled file with the prefix ``morphvec:`` (``corpus: {path:
morphvec:resources/nsmc_sample.tsv.gz}``), so the bundled configs run from any directory, from a
wheel, and after ``snakedeploy`` copied them elsewhere: :func:`resolve` turns it into the file's
path (relative to the working directory when the file is inside it, as a checkout's own run has
always written it).
"""

import os
from importlib.resources import files
from pathlib import Path

PREFIX = "morphvec:"


def _workflow_folder() -> tuple[Path, bool]:
    """The folder and whether it is an installed wheel's (then there is no checkout and no commit)."""
    packaged = files("morphvec").joinpath("workflow_files")
    if packaged.joinpath("Snakefile").is_file():
        return Path(str(packaged)), True
    # a checkout (an editable install, or PYTHONPATH=scripts): the library is its scripts/morphvec
    return Path(str(files("morphvec"))).resolve().parents[1], False


WORKFLOW, INSTALLED = _workflow_folder()
SNAKEFILE = WORKFLOW / "Snakefile"
SCHEMA = WORKFLOW / "config" / "schemas" / "config.schema.yaml"
DEFAULT_CONFIG = WORKFLOW / "config" / "config.yaml"
PROFILES = WORKFLOW / "profiles"


def resolve(path: str) -> str:
    """A config's path with the ``morphvec:`` prefix as the bundled file's path; any other as given."""
    if not isinstance(path, str) or not path.startswith(PREFIX):
        return path
    bundled = (WORKFLOW / path.removeprefix(PREFIX)).resolve()
    here = Path.cwd().resolve()
    return os.path.relpath(bundled, here) if here in bundled.parents else str(bundled)
