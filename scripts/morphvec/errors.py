"""The error a user can fix, and a setting's problem: their own module, importing nothing but the
standard library, so that every module can raise them."""

from typing import NamedTuple


class UserInputError(Exception):
    """An error the user can fix, reported without a traceback.

    The message says which file (and line or key) is wrong and, on a line starting with
    ``fix:``, how to fix it.
    """

    def __init__(self, message: str, fix: str | None = None) -> None:
        super().__init__(f"{message}\n  fix: {fix}" if fix else message)


class Problem(NamedTuple):
    """A setting that cannot work: its key inside a run (``fasttext.minn``), why, and the fix."""

    key: str
    message: str
    fix: str
