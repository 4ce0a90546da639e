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
    mb_per_second: float = 1.0  # text one worker process tokenizes per second (rules' runtime)
    worker_mb: int = 100  # memory of one worker process (rules' mem_mb)
    packages: tuple[str, ...] = ()  # pip packages it needs, pinned in requirements.txt and its env
    env: str = "envs/tokenize.yaml"  # the conda env of the tokenize rules

    @property
    def tags(self) -> bool:
        """True when it gives part-of-speech tags (``pos: true``, the content-word view)."""
        return bool(self.content_tags)

    def create(self, lowercase: bool = False) -> Callable[[str], Pairs]:
        """A new instance: text -> ``(form, tag)`` pairs, lower-casing the text first if asked."""
        tokenizer = getattr(importlib.import_module(self.module), self.factory)()
        if lowercase:
            return lambda text: tokenizer(text.lower())
        return tokenizer


TOKENIZERS: dict[str, TokenizerEntry] = {
    entry.name: entry
    for entry in (
        # Speeds measured on full NSMC (bench/): MeCab ~0.5 MB of text a second per process, Kiwi
        # ~0.1; memory: 124 MB for MeCab with 2 workers, 1,109 MB for Kiwi (its model ~500 MB each).
        TokenizerEntry(
            "mecab",
            "morphvec.tokenizers.mecab",
            "MecabTokenizer",
            SEJONG_CONTENT_TAGS,
            mb_per_second=0.5,
            worker_mb=400,
            packages=("python-mecab-ko", "python-mecab-ko-dic"),
        ),
        TokenizerEntry(
            "kiwi",
            "morphvec.tokenizers.kiwi",
            "KiwiTokenizer",
            SEJONG_CONTENT_TAGS,
            mb_per_second=0.1,
            worker_mb=600,
            packages=("kiwipiepy", "kiwipiepy_model"),
        ),
        # whitespace: not measured apart; MeCab's figures, which are generous for a split()
        TokenizerEntry(
            "whitespace", "morphvec.tokenizers.whitespace", "WhitespaceTokenizer", mb_per_second=0.5, worker_mb=400
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
