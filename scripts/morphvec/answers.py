"""The query tool's answers as people read them: aligned tables in the order asked, scores to three
decimals, punctuation tokens quoted so that ``,`` and ``.`` read as tokens; or JSON (``--json``)
for machines, in the same order.  :mod:`morphvec.query` computes the answers."""

import json
import unicodedata
from typing import IO

SCORE = "{:.3f}"


def shown(token: str) -> str:
    """A token as a reader sees it: punctuation and other tokens without a letter or digit quoted."""
    return token if any(ch.isalnum() for ch in token) else repr(token)


def width(text: str) -> int:
    """Columns a terminal gives ``text``: Hangul and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def padded(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


def _ranked(found: list) -> list[str]:
    tokens = [shown(word) for word, _ in found]
    columns = max((width(t) for t in tokens), default=0)
    return [
        f"  {rank:>3}  {padded(token, columns)}  {SCORE.format(score)}"
        for rank, (token, (_, score)) in enumerate(zip(tokens, found, strict=True), 1)
    ]


def _block(title: str, found) -> list[str]:
    if isinstance(found, dict):  # {"error": ...}: the model has no vector for a word of it
        return [f"{title}: {found['error']}"]
    if isinstance(found, float):
        return [f"{title}  {SCORE.format(found)}"]
    return [f"{title}:", *(_ranked(found) or ["    (no candidate)"])]


def table(result: dict) -> str:
    """The answers of one request, in the order asked: neighbours, analogies, similarities."""
    space = result.get("space", "in")
    where = "" if space == "in" else " (IN-OUT: words that occur with it)"
    lines: list[str] = []
    for word, found in result.get("neighbours", {}).items():
        lines += _block(f"neighbours of {word}{where}", found)
    for text, found in result.get("analogy", {}).items():
        lines += _block(f"analogy {text}", found)
    for text, found in result.get("similarity", {}).items():
        lines += _block(f"similarity {text}{where}", found)
    for word, parts in result.get("morphemes", {}).items():
        lines.append(f"{word} = {' + '.join(parts)} (not a token: the mean of its morphemes' unit vectors)")
    return "\n".join(lines) + "\n"


class QueryResult(dict):
    """What the query tool found, printed as a table (or JSON) by the command line, and, with a
    ``session``, followed by the interactive prompt (which reads one request per line)."""

    as_json = False
    session = None

    def failure(self) -> str | None:
        """In batch mode, a request that got no answer at all (every word unknown) fails, so that a
        script can tell; the interactive prompt goes on instead."""
        answers = [found for key in ("neighbours", "analogy", "similarity") for found in self.get(key, {}).values()]
        if self.session is not None or not answers or not all(isinstance(found, dict) for found in answers):
            return None
        return (
            f"no answer: the model has no vector for any word asked ({answers[0]['error']})\n"
            "  fix: check the spelling and the units (the model's tokens, e.g. morphemes; --tokenizer cuts "
            "eojeol into them)"
        )

    def render(self, out: IO[str]) -> None:
        if self.as_json:
            out.write(json.dumps(self, ensure_ascii=False, indent=2) + "\n")  # the order asked, not sorted
        elif any(key in self for key in ("neighbours", "analogy", "similarity")):
            out.write(table(self))
        out.flush()
        if self.session is not None:
            self.session(out)
