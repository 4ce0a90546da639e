"""The tokenizer registry: one entry per tokenizer, the only place that describes one.

A tokenizer is a module of this package with a class whose instances turn a cleaned document
into ``(form, tag)`` pairs (tag None when it does not tag), plus one :class:`TokenizerEntry` in
:data:`TOKENIZERS` and its name in the schema's ``tokenizer.name`` enum.  Everything else reads
the entry: the tokenize step (:func:`morphvec.tokenize.make_tokenizer`), the rules' resources
(:mod:`morphvec.workflow`), the content-word view of the report and the query tool, and the
config check that ``pos`` needs a tagging tokenizer.  ``tests/test_tokenizers.py`` fails when
the registry, the schema and ``envs/`` disagree.
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass

# Sejong tag prefixes (MeCab-ko and Kiwi) of content words: nouns, pronouns, numerals, verbs,
# adjectives, adverbs, roots, foreign words and Chinese characters.
SEJONG_CONTENT_TAGS = ("NNG", "NNP", "NNB", "NP", "NR", "VV", "VA", "MAG", "XR", "SL", "SH")

Pairs = list[tuple[str, str | None]]


@dataclass(frozen=True)
class TokenizerEntry:
    """What morphvec knows of one tokenizer (config value ``tokenizer.name``)."""

    name: str
    module: str  # the module of this package (or any importable module) holding the class
    factory: str  # the class: ``factory()`` -> a callable text -> (form, tag) pairs
    content_tags: tuple[str, ...] = ()  # tag prefixes of content words; () = it does not tag
    mb_per_second: float = 1.0  # text one worker tokenizes per second (rules' runtime)
    worker_mb: int = 100  # memory one worker process (or the one model of ``own_threads``) adds (rules' mem_mb)
    packages: tuple[str, ...] = ()  # pip packages it needs, pinned in requirements.txt and its env
    env: str = "envs/tokenize.yaml"  # the conda env of the tokenize rules
    # True: ``factory(threads=n)`` analyses a batch (``instance.many(texts)``) on n threads of its
    # own over one model, and the tokenize step runs it in one process instead of n workers.
    own_threads: bool = False

    @property
    def tags(self) -> bool:
        """True when it gives part-of-speech tags (``pos: true``, the content-word view)."""
        return bool(self.content_tags)

    def create(self, lowercase: bool = False, threads: int = 1) -> Callable[[str], Pairs]:
        """A new instance: text -> ``(form, tag)`` pairs, lower-casing the text first if asked;
        ``threads`` > 1 only for an entry with ``own_threads``."""
        factory = getattr(importlib.import_module(self.module), self.factory)
        tokenizer = factory(threads=threads) if threads > 1 else factory()
        return _Lowercased(tokenizer) if lowercase else tokenizer


class _Lowercased:
    """A tokenizer that lower-cases each text first, keeping the batch method of one that has it."""

    def __init__(self, tokenizer) -> None:
        self._tokenizer = tokenizer
        if hasattr(tokenizer, "many"):
            self.many = lambda texts: tokenizer.many([text.lower() for text in texts])

    def __call__(self, text: str) -> Pairs:
        return self._tokenizer(text.lower())


TOKENIZERS: dict[str, TokenizerEntry] = {
    entry.name: entry
    for entry in (
        # Measured by bench/run on 50,000 NSMC reviews (BENCHMARKS.md, "Kiwi against MeCab"): text
        # one worker tokenizes per second (the .gz counted 4x, as the rules' runtime counts it) and
        # the memory each worker adds to the job's process tree (one worker against two).
        TokenizerEntry(
            "mecab",
            "morphvec.tokenizers.mecab",
            "MecabTokenizer",
            SEJONG_CONTENT_TAGS,
            mb_per_second=3.2,
            worker_mb=154,
            packages=("python-mecab-ko", "python-mecab-ko-dic"),
        ),
        # Kiwi runs on its own threads over one model: as fast as two worker processes and half
        # their memory (534 against 1,090 MiB for two), with the same output (BENCHMARKS.md, 2026-12-01).
        TokenizerEntry(
            "kiwi",
            "morphvec.tokenizers.kiwi",
            "KiwiTokenizer",
            SEJONG_CONTENT_TAGS,
            mb_per_second=0.51,
            worker_mb=557,
            packages=("kiwipiepy", "kiwipiepy_model"),
            own_threads=True,
        ),
        # whitespace: a str.split(); measured with two workers (106 MiB in all)
        TokenizerEntry(
            "whitespace", "morphvec.tokenizers.whitespace", "WhitespaceTokenizer", mb_per_second=9.0, worker_mb=50
        ),
    )
}


def tokenizer_entry(name: str) -> TokenizerEntry:
    """The registry entry called ``name``; a KeyError names the known ones."""
    try:
        return TOKENIZERS[name]
    except KeyError:
        raise KeyError(f"unknown tokenizer {name!r}; known: {', '.join(TOKENIZERS)}") from None


def is_content_tag(tag: str | None, content_tags: tuple[str, ...] = SEJONG_CONTENT_TAGS) -> bool:
    """True for a content-word tag: MeCab's ``VV+EP`` by its first part, Kiwi's irregular
    ``VA-I`` / regular ``VV-R`` by the tag before the dash."""
    return bool(tag) and tag.split("+", 1)[0].split("-", 1)[0] in content_tags
