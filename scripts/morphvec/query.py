"""Querying vectors in ordinary Hangul: neighbours, analogies and similarity, in two spaces.

:class:`Space` wraps any vectors :func:`morphvec.evaluation.load_vectors` opens and hides how the
model spells its tokens:

* **jamo models** (``tokenizer.unit: jamo``) are queried and answer in syllables
  (:mod:`morphvec.jamo`);
* **POS models** (``tokenizer.pos``, tokens ``영화/NNG``): a word without a tag means its most
  frequent tagged form (the vocabulary is sorted by frequency);
* **eojeol on a morpheme model**: a word that is not a token of the model is analysed with the
  tokenizer the corpus was cut with (:class:`morphvec.tokenize.Tokenizer`) and its vector is
  the **mean of the unit-length vectors of its morphemes** (each the model's vector of that
  token, from its character n-grams if the token is unknown), the rule fastText itself uses for
  sentence vectors.  Without a tokenizer an unknown word gets its n-gram vector as before.

Two spaces: ``in`` compares input vectors with input vectors (words *like* the query, the usual
neighbours); ``in-out`` compares the query's input vector with the output (``syn1neg``) vectors
of the candidates, the Dual Embedding Space Model of Mitra et al. (2016), which ranks words that
occur *with* the query (topical relatedness).  Output vectors exist for in-vocabulary words only.

Tags for the content-word filter come from the token counts of the tokenize step (each token's
dominant tag), or from the tokens themselves in a POS model.
"""

import functools
import json
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np

from morphvec.formats import detect_vectors_format, has_subwords, load_vectors, output_vectors_of, read_output_vectors
from morphvec.jamo import Unit
from morphvec.pages import drop_resident_pages
from morphvec.runtime import UserInputError
from morphvec.tokenizers import SEJONG_CONTENT_TAGS, TOKENIZERS, is_content_tag

SPACES = ("in", "in-out")
_POS_TOKEN = re.compile(r"^(.+)/([A-Z][A-Z_+\-]*)$")


def is_pos_vocabulary(words: Sequence[str], look_at: int = 1000) -> bool:
    """True when (nearly) every one of the first words is ``form/TAG``."""
    sample = [w for w in words[:look_at] if w != "</s>"]
    return bool(sample) and sum(1 for w in sample if _POS_TOKEN.match(w)) >= 0.95 * len(sample)


def _unit(vector: np.ndarray) -> np.ndarray:
    vector = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


class Space:
    """Vectors queried in ordinary Hangul (see the module docstring).

    It offers the small KeyedVectors surface the evaluation uses (``index_to_key``,
    ``key_to_index``, ``vectors``, ``get_vector``, ``has_subwords``, ``keyed_vectors``), with keys
    as users write them.
    """

    def __init__(self, kv, output_vectors=None, tokenizer=None, tags: dict[str, str] | None = None) -> None:
        self.kv = kv
        model_words = list(kv.index_to_key)
        self.unit = Unit.of(model_words)
        self.pos = is_pos_vocabulary(model_words)
        self.index_to_key = [self.unit.to_display(w) for w in model_words] if self.unit.jamo else model_words
        self.key_to_index = {word: index for index, word in enumerate(self.index_to_key)}
        self.vectors = kv.vectors
        self.has_subwords = has_subwords(kv)
        self.tokenizer = tokenizer
        if output_vectors is not None and len(output_vectors) != len(model_words):
            raise UserInputError(
                f"{len(output_vectors)} output vectors for {len(model_words)} words",
                "give the output_vectors.npy of the same extract_vectors run",
            )
        self.output_vectors = output_vectors
        self._bare: dict[str, int] = {}
        self._unknown = 0  # unknown words looked up (see _unknown_looked_up)
        self.tags: dict[str, str] = {}
        if self.pos:
            for index, word in enumerate(self.index_to_key):
                match = _POS_TOKEN.match(word)
                if match:
                    self._bare.setdefault(match.group(1), index)
                    self.tags[word] = match.group(2)
        elif tags:
            self.tags = {self.unit.to_display(token): tag for token, tag in tags.items()}

    # --- words to vectors --------------------------------------------------------------------

    @property
    def content_tags(self) -> tuple[str, ...]:
        """Tag prefixes of content words: the run tokenizer's, else the Sejong ones (MeCab, Kiwi)."""
        return getattr(self.tokenizer, "content_tags", None) or SEJONG_CONTENT_TAGS

    def lookup(self, word: str) -> int | None:
        """The vocabulary index of ``word`` (a POS model's bare word: its most frequent tagged form)."""
        index = self.key_to_index.get(word)
        return index if index is not None else self._bare.get(word)

    def token_vector(self, token: str) -> np.ndarray | None:
        """A token's vector: its row, else its n-gram vector (None for a word model without it)."""
        index = self.lookup(token)
        if index is not None:
            return np.asarray(self.kv.get_vector(self.kv.index_to_key[index]), dtype=np.float32)
        if not self.has_subwords:
            return None
        vector = np.asarray(self.kv.get_vector(self.unit.to_model(token)), dtype=np.float32)
        self._unknown_looked_up()
        return vector

    def _unknown_looked_up(self, every: int = 8) -> None:
        """After every ``every`` unknown words, take the pages their n-gram rows made resident
        out of the process (:func:`morphvec.pages.drop_resident_pages`): the n-grams of a few
        thousand unknown words reach most pages of a 2M-bucket matrix, 800 MB more in the
        report (measured on full NSMC)."""
        self._unknown += 1
        ngrams = getattr(self.kv, "vectors_ngrams", None)
        if self._unknown % every == 0 and isinstance(ngrams, np.memmap):
            drop_resident_pages(ngrams)

    def morphemes(self, word: str) -> list[str]:
        """``word`` cut into the model's tokens, shown in Hangul ([] without a tokenizer)."""
        if self.tokenizer is None:
            return []
        return [self.unit.to_display(token) for token, _ in self.tokenizer(word)]

    def get_vector(self, word: str, eojeol: bool = True) -> np.ndarray:
        """The vector of ``word``; with ``eojeol`` an unknown word made of several morphemes is
        their mean unit vector (module docstring).  KeyError when the model has no vector for it."""
        if self.lookup(word) is None and eojeol and self.tokenizer is not None:
            parts = self.morphemes(word)
            if len(parts) > 1 or (parts and parts[0] != word):
                vectors = [self.token_vector(part) for part in parts]
                if all(v is not None for v in vectors):
                    return np.mean([_unit(v) for v in vectors], axis=0)
        vector = self.token_vector(word)
        if vector is None:
            raise KeyError(f"{word!r} is not in the vocabulary and the model has no subword vectors")
        return vector

    # --- the two spaces ---------------------------------------------------------------------

    @functools.cache  # noqa: B019 (one Space per loaded model; it lives as long as the vectors)
    def unit_matrix(self, space: str = "in") -> np.ndarray:
        if space == "in":
            matrix = np.asarray(self.vectors, dtype=np.float32)
        elif space == "in-out":
            if self.output_vectors is None:
                raise UserInputError(
                    "these vectors have no output (syn1neg) vectors, so there is no in-out space",
                    "query a fastText .bin or a torch export, or give --output-vectors output_vectors.npy",
                )
            matrix = np.asarray(self.output_vectors, dtype=np.float32)
        else:
            raise UserInputError(f"unknown space {space!r}", f"use one of {SPACES}")
        return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)

    def _ranked(self, query: np.ndarray, exclude: set[str], topn: int, space: str, content_only: bool):
        if content_only and not self.tags:
            raise UserInputError(
                "the content-word filter needs tags, and these vectors have none",
                "give --token-counts results/<run>/tokenize_corpus/token_counts.tsv (a mecab or kiwi run), "
                "or query a model trained with tokenizer.pos",
            )
        scores = self.unit_matrix(space) @ _unit(query)
        found = []
        for index in np.argsort(-scores, kind="stable"):
            word = self.index_to_key[index]
            if word in exclude or word == "</s>":
                continue
            if content_only and not is_content_tag(self.tags.get(word), self.content_tags):
                continue
            found.append((word, round(float(scores[index]), 4)))
            if len(found) == topn:
                break
        return found

    def _excluded(self, *words: str) -> set[str]:
        out = set(words)
        for word in words:
            index = self.lookup(word)
            if index is not None:
                out.add(self.index_to_key[index])
        return out

    def neighbours(self, word: str, topn: int = 10, space: str = "in", content_only: bool = False):
        """The ``topn`` nearest words to ``word`` (``space`` in or in-out), as ``(word, cosine)``."""
        return self._ranked(self.get_vector(word), self._excluded(word), topn, space, content_only)

    def analogy(self, positive: Sequence[str], negative: Sequence[str], topn: int = 10, content_only: bool = False):
        """3CosAdd: the words nearest to the sum of ``positive`` minus ``negative`` unit vectors
        (``왕 - 남자 + 여자``: positive 왕, 여자; negative 남자), query words excluded."""
        query = sum(_unit(self.get_vector(w)) for w in positive) - sum(_unit(self.get_vector(w)) for w in negative)
        return self._ranked(query, self._excluded(*positive, *negative), topn, "in", content_only)

    def similarity(self, a: str, b: str, space: str = "in") -> float:
        """Cosine of ``a`` and ``b``; in ``in-out``, of ``a``'s input and ``b``'s output vector."""
        left = _unit(self.get_vector(a))
        if space == "in":
            return float(left @ _unit(self.get_vector(b)))
        index = self.lookup(b)
        if index is None:
            raise KeyError(f"{b!r} has no output vector: only vocabulary words have one")
        return float(left @ self.unit_matrix(space)[index])

    @functools.cache  # noqa: B019
    def keyed_vectors(self):
        """The vocabulary as gensim KeyedVectors with display keys (gensim's analogy protocol)."""
        from gensim.models import KeyedVectors

        kv = KeyedVectors(self.vectors.shape[1], dtype=np.float32)
        kv.add_vectors(self.index_to_key, np.asarray(self.vectors, dtype=np.float32))
        return kv

    def most_similar(self, word: str, topn: int = 10) -> list[tuple[str, float]]:
        return self.neighbours(word, topn)


def open_space(
    vectors,
    format: str = "auto",
    trust_pickle: bool = False,
    tokenizer: str | None = None,
    token_counts=None,
    output_vectors=None,
    with_output: bool = False,
) -> Space:
    """Open any vectors morphvec writes as a :class:`Space`.

    ``tokenizer`` (the run's ``tokenizer.name``, mecab or kiwi) enables eojeol queries; the model's
    POS and jamo spelling are recognised from its vocabulary.  ``token_counts`` (the tokenize
    step's) gives the content-word filter its tags; ``output_vectors`` (an ``.npy``) overrides the
    output matrix found beside the vectors (read only ``with_output``).
    """
    from morphvec.corpus import read_token_tags

    kv = load_vectors(vectors, format, trust_pickle)  # names a missing file
    fmt = detect_vectors_format(vectors) if format == "auto" else format
    output = None
    if output_vectors is not None:
        output = read_output_vectors(output_vectors)
    elif with_output:
        output = getattr(kv, "output_vectors", None) if fmt == "torch" else output_vectors_of(vectors, fmt)
    space = Space(kv, output, None, read_token_tags(token_counts) if token_counts else None)
    if tokenizer:
        from morphvec.tokenize import Tokenizer

        space.tokenizer = Tokenizer(tokenizer, pos=space.pos, unit=space.unit.name)
    return space


_TERM = re.compile(r"\s*([+-]?)\s*([^+\-\s][^+\-]*?)\s*(?=[+-]|$)")


def parse_expression(text: str) -> tuple[list[str], list[str]]:
    """``"왕 - 남자 + 여자"`` -> (["왕", "여자"], ["남자"]); a leading word is positive."""
    positive, negative, end = [], [], 0
    for match in _TERM.finditer(text):
        if match.start() != end:
            break
        (negative if match.group(1) == "-" else positive).append(match.group(2).strip())
        end = match.end()
    if end != len(text) or not positive:
        raise UserInputError(
            f"cannot read the analogy {text!r}", "write words joined by + and -, e.g. '왕 - 남자 + 여자'"
        )
    if len(positive) + len(negative) < 2:
        raise UserInputError(
            f"the analogy {text!r} has one word: that is a neighbour query",
            "write two words or more joined by + and -, e.g. '왕 - 남자 + 여자' (or use --neighbours)",
        )
    return positive, negative


def _pair(text: str) -> tuple[str, str]:
    left, sep, right = text.partition(":")
    if not sep or not left.strip() or not right.strip():
        raise UserInputError(f"cannot read the pair {text!r}", "write two words joined by a colon, e.g. 영화:드라마")
    return left.strip(), right.strip()


def check_tokenizer(tokenizer: str | None) -> None:
    """A query tokenizer must be a registered one that cuts words into morphemes."""
    if tokenizer is not None and tokenizer not in TOKENIZERS:
        raise UserInputError(f"unknown tokenizer {tokenizer!r}", f"use --tokenizer with one of {', '.join(TOKENIZERS)}")


def _check_request(space: str, tokenizer: str | None, anything_asked, topn: int = 10, words=()) -> None:
    if space not in SPACES:
        raise UserInputError(f"unknown space {space!r}", f"use one of {SPACES}")
    check_tokenizer(tokenizer)
    if topn < 1:
        raise UserInputError(f"--topn {topn}: at least 1 neighbour must be asked for", "give --topn 1 or more")
    if any(not word.strip() for word in words):
        raise UserInputError("an empty word was given to --neighbours", "give words with at least one character")
    if not anything_asked:
        raise UserInputError(
            "nothing to ask", "give --neighbours WORD..., --analogy '왕 - 남자 + 여자' or --similarity A:B"
        )


def answer(ask):
    """What ``ask()`` finds, or ``{"error": ...}`` for a word the model has no vector for."""
    try:
        found = ask()
    except KeyError as error:
        return {"error": str(error.args[0])}
    if isinstance(found, float):
        return round(found, 4)
    return [[word, score] for word, score in found]


def _answers(opened: Space, request: dict) -> dict:
    """The answers to one request (neighbours, analogy, similarity lists), in the order asked."""
    space, topn, content_only = request["space"], request["topn"], request["content_only"]
    neighbours, analogy, similarity = request.get("neighbours"), request.get("analogy"), request.get("similarity")
    result: dict = {}
    if neighbours:
        result["neighbours"] = {
            word: answer(lambda w=word: opened.neighbours(w, topn, space, content_only)) for word in neighbours
        }
    if analogy:
        expressions = {text: parse_expression(text) for text in analogy}
        result["analogy"] = {
            text: answer(lambda p=p, n=n: opened.analogy(p, n, topn, content_only))
            for text, (p, n) in expressions.items()
        }
    if similarity:
        pairs = {text: _pair(text) for text in similarity}
        result["similarity"] = {
            text: answer(lambda a=a, b=b: opened.similarity(a, b, space)) for text, (a, b) in pairs.items()
        }
    if opened.tokenizer is not None:
        asked = [*(neighbours or []), *(w for t in analogy or [] for part in parse_expression(t) for w in part)]
        asked += [w for t in similarity or [] for w in _pair(t)]
        morphemes = {w: opened.morphemes(w) for w in dict.fromkeys(asked) if opened.lookup(w) is None}
        result["morphemes"] = {w: parts for w, parts in morphemes.items() if parts}
    return result


SESSION_HELP = """one request per line, the same as the options:
  영화 재미                  neighbours of each word
  왕 - 남자 + 여자           an analogy
  영화:드라마                a similarity
  --neighbours 영화 --topn 5 --space in-out --content-only   (any of the options, as on the command line)
  quit                       (or Ctrl-D) ends"""


class _LineParser:
    """A line of the interactive prompt as a request: the query options, or the short forms."""

    def __init__(self, defaults: dict) -> None:
        import argparse

        class Parser(argparse.ArgumentParser):
            def error(self, message):  # a wrong line is an answer, not the end of the session
                raise UserInputError(message, "type help for the syntax")

        self.defaults = defaults
        self.parser = Parser(prog="", add_help=False)
        for name in ("neighbours", "analogy", "similarity"):
            self.parser.add_argument(f"--{name}", nargs="+")
        self.parser.add_argument("--space", choices=SPACES)
        self.parser.add_argument("--topn", type=int)
        self.parser.add_argument("--content-only", action=argparse.BooleanOptionalAction)

    def __call__(self, line: str) -> dict:
        import shlex

        request = dict(self.defaults)
        if line.startswith("-"):
            given = vars(self.parser.parse_args(shlex.split(line)))
            request.update({key: value for key, value in given.items() if value is not None})
        elif ":" in line and len(line.split()) == 1:
            request["similarity"] = [line]
        elif re.search(r"[+-]", line) and len(line.split()) > 1:
            request["analogy"] = [line]
        else:
            request["neighbours"] = line.split()
        _check_request(request["space"], None, True, request["topn"], request.get("neighbours") or ())
        return request


def _session(opened: Space, defaults: dict, as_json: bool):
    """The interactive prompt: the model stays loaded; one request per line from stdin."""
    import sys

    from morphvec.answers import table

    parse = _LineParser(defaults)

    def run(out) -> None:
        prompt = sys.stdin.isatty()
        if prompt:
            out.write("type a request (help for the syntax, quit to end)\n")
        while True:
            if prompt:
                out.write("query> ")
                out.flush()
            line = sys.stdin.readline()
            if not line or line.strip() in ("quit", "exit"):
                break
            line = line.strip()
            if not line:
                continue
            if line == "help":
                out.write(SESSION_HELP + "\n")
                continue
            try:
                found = _answers(opened, parse(line))
            except UserInputError as error:
                out.write(f"error: {error}\n")
                continue
            out.write(json.dumps(found, ensure_ascii=False) + "\n" if as_json else table({**found, **defaults}))
            out.flush()

    return run


def query_vectors(
    vectors: str | Path | None = None,
    neighbours: list[str] | None = None,
    analogy: list[str] | None = None,
    similarity: list[str] | None = None,
    token_counts: str | Path | None = None,
    output_vectors: str | Path | None = None,
    torch_weights: str | Path | None = None,
    *,
    space: Literal["in", "in-out"] = "in",
    topn: int = 10,
    content_only: bool = False,
    tokenizer: str | None = None,
    format: Literal["auto", "fasttext", "gensim", "word2vec", "word2vec-binary", "torch"] = "auto",
    trust_pickle: bool = False,
    json: bool = False,
    interactive: bool = False,
):
    """Nearest neighbours, analogies and similarities on any vectors morphvec writes.

    ``vectors``: a fastText .bin, torch export directory, word2vec file or (with
    ``trust_pickle``) gensim .kv/.model; without it, the run's torch export (``torch_weights``,
    which ``--run-dir`` fills).  ``neighbours``: words; ``analogy``: expressions like
    ``"왕 - 남자 + 여자"``; ``similarity``: pairs ``영화:드라마``.  ``space``: in (words like the
    query) or in-out (words that occur with it: the query's input against the output vectors;
    needs a .bin, a torch export or ``output_vectors``).  ``content_only`` keeps nouns, verbs,
    adjectives, adverbs (tags from ``token_counts`` or a POS model).  ``tokenizer`` (mecab or kiwi,
    as the model's corpus was tokenized) lets eojeol such as 먹었다 be queried by their morphemes.
    ``--run-dir results/<run>`` fills ``token_counts``, ``output_vectors`` and the torch export.
    Printed as a table (``json``: as JSON, in the order asked); ``interactive`` then reads one
    request per line with the model loaded.
    """
    from morphvec.answers import QueryResult

    logging.getLogger("gensim").setLevel(logging.WARNING)  # its INFO lines (8 for a .bin) bury the answer
    vectors = vectors if vectors is not None else torch_weights
    if vectors is None:
        raise UserInputError("no vectors to query", "give --vectors FILE_OR_DIRECTORY, or --run-dir results/<run>")
    asked = neighbours or analogy or similarity
    _check_request(space, tokenizer, asked or interactive, topn, neighbours or ())
    opened = open_space(
        vectors,
        format,
        trust_pickle,
        tokenizer,
        token_counts,
        output_vectors,
        with_output=space == "in-out" or interactive,
    )
    defaults = {"space": space, "topn": topn, "content_only": content_only}
    result = QueryResult(vectors=str(vectors), space=space, units=opened.unit.name, pos=opened.pos)
    result.update(
        _answers(opened, {**defaults, "neighbours": neighbours, "analogy": analogy, "similarity": similarity})
    )
    result.as_json = json
    if interactive:
        result.session = _session(opened, defaults, json)
    return result


query_vectors.option_help = {
    "vectors": "the vectors to query: a fastText .bin, a torch export directory, a word2vec file, a gensim file "
    "(with --trust-pickle); default: the torch export of --run-dir",
    "neighbours": "words whose nearest neighbours to list",
    "analogy": "expressions such as '왕 - 남자 + 여자' (3CosAdd)",
    "similarity": "pairs such as 영화:드라마 (cosine)",
    "token_counts": "the run's tokenize_corpus/token_counts.tsv: tags for --content-only (--run-dir gives it)",
    "output_vectors": "extract_vectors/output_vectors.npy for --space in-out on word2vec or gensim files",
    "torch_weights": "the run's torch export (--run-dir gives it; --vectors overrides it)",
    "space": "in: words like the query; in-out: words that occur with it (input against output vectors)",
    "topn": "how many answers per query (at least 1)",
    "content_only": "only nouns, verbs, adjectives, adverbs, roots and foreign words (by each token's tag)",
    "tokenizer": f"the run's tokenizer ({', '.join(TOKENIZERS)}): words that are not tokens are cut into "
    "morphemes and composed",
    "format": "the format of --vectors (auto: from the name and content)",
    "trust_pickle": "open gensim .kv/.model files, which are pickles (only files you made yourself)",
    "json": "print JSON (in the order asked) instead of a table",
    "interactive": "then read one request per line from the terminal, the model loaded once (type help)",
}
