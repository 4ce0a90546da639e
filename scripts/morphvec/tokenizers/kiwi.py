"""The Kiwi analyser (``kiwipiepy``) as a morphvec tokenizer: ``tokenizer.name: kiwi``.

Kiwi reports higher accuracy than MeCab-ko on ambiguous words (irregular verbs, verb against
adjective, nouns), at a higher cost (BENCHMARKS.md measures both on NSMC).  Its forms are
morphemes in dictionary shape: ``건넨`` gives ``건네/VV`` + ``ᆫ/ETM``, an ending written as a
lone final consonant (conjoining jamo), which :mod:`morphvec.jamo` leaves as it is.  The tags
follow the Sejong tag set like MeCab-ko's, so the content-word filter treats both alike.
"""

import warnings
from collections.abc import Iterator


class KiwiTokenizer:
    """``(form, tag)`` pairs from one Kiwi: a text at a time in the calling thread, or a batch
    of texts (:meth:`many`) analysed by Kiwi's own ``threads`` threads over one model in memory,
    which the tokenize step uses instead of worker processes (BENCHMARKS.md: faster, and one
    model of ~400 MB instead of one per process)."""

    def __init__(self, threads: int = 1) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            from kiwipiepy import Kiwi

            # num_workers=0: no thread pool, the caller's thread (kiwipiepy >= 0.21); typos off
            # (no silent spelling corrections); the default dictionary of proper nouns stays loaded.
            self._kiwi = Kiwi(num_workers=threads if threads > 1 else 0, typos=None)

    def __call__(self, text: str) -> list[tuple[str, str]]:
        return [(token.form, token.tag) for token in self._kiwi.tokenize(text)]

    def many(self, texts: list[str]) -> Iterator[list[tuple[str, str]]]:
        """The pairs of every text, in order; with a thread pool, Kiwi spreads the texts over it."""
        if self._kiwi.num_workers <= 1:
            yield from map(self, texts)
            return
        for tokens in self._kiwi.tokenize(texts):
            yield [(token.form, token.tag) for token in tokens]
