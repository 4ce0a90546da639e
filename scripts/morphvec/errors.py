"""The error a user can fix: its own module, importing nothing, so that every module can raise it."""


class UserInputError(Exception):
    """An error the user can fix, reported without a traceback.

    The message says which file (and line or key) is wrong and, on a line starting with
    ``fix:``, how to fix it.
    """

    def __init__(self, message: str, fix: str | None = None) -> None:
        super().__init__(f"{message}\n  fix: {fix}" if fix else message)
