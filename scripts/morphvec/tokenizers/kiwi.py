"""The Kiwi analyser (``kiwipiepy``) as a morphvec tokenizer: ``tokenizer.name: kiwi``.

Kiwi reports higher accuracy than MeCab-ko on ambiguous words (irregular verbs, verb against
adjective, nouns), at a higher cost (BENCHMARKS.md measures both on NSMC).  Its forms are
morphemes in dictionary shape: ``건넨`` gives ``건네/VV`` + ``ᆫ/ETM``, an ending written as a
lone final consonant (conjoining jamo), which :mod:`morphvec.jamo` leaves as it is.  The tags
follow the Sejong tag set like MeCab-ko's, so the content-word filter treats both alike.
"""

import warnings


class KiwiTokenizer:
    """``(form, tag)`` pairs from one single-threaded Kiwi (the tokenize step runs processes)."""

    def __init__(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            from kiwipiepy import Kiwi

            # num_workers=0: one thread in this process (kiwipiepy >= 0.21); typos off (no silent
            # spelling corrections); the default dictionary of proper nouns stays loaded.
            self._kiwi = Kiwi(num_workers=0, typos=None)

    def __call__(self, text: str) -> list[tuple[str, str]]:
        return [(token.form, token.tag) for token in self._kiwi.tokenize(text)]
