"""Jamo (sub-character) units for Korean: a syllable becomes initial, medial and final jamo.

Park et al. (ACL 2018, "Subword-level Word Vector Representations for Korean") decompose each
Hangul syllable into its three jamo, with a placeholder where a syllable has no final consonant,
so that character n-grams see the sounds that inflection changes (``먹``/``먹었`` share ``ㅁㅓㄱ``
and differ in ``ㅇㅓㅆ``).  morphvec writes the decomposed tokens at the tokenize step
(``tokenizer.unit: jamo``), so any fastText or gensim reader trains and opens the model as it is;
every query path (:func:`to_model`, :func:`to_display`) converts ordinary Hangul to the model's
units and back, so users never see jamo.

A model is a jamo model when its vocabulary holds conjoining jamo and no precomposed syllable
(:func:`is_jamo_vocabulary`): the corpus is NFC-normalised before tokenizing, so a syllable model
always has syllables, and a jamo model never does.  The decomposition uses the conjoining jamo
block (U+1100-U+11FF), not the compatibility jamo (``ㅋㅋ``, U+3131-) that people type, so
text like ``ㅋㅋㅋ`` passes through both ways unchanged.
"""

import re
from collections.abc import Iterable

SYLLABLE_FIRST, SYLLABLE_LAST = 0xAC00, 0xD7A3
INITIAL_FIRST, MEDIAL_FIRST, FINAL_BEFORE_FIRST = 0x1100, 0x1161, 0x11A7
MEDIALS, FINALS = 21, 28  # finals include "none" at index 0
# Stands for "no final consonant" (Park et al.'s "e"), so that every syllable is three units.
EMPTY_FINAL = "\u2205"  # ∅


def _decomposition(code: int) -> str:
    index = code - SYLLABLE_FIRST
    initial, rest = divmod(index, MEDIALS * FINALS)
    medial, final = divmod(rest, FINALS)
    tail = chr(FINAL_BEFORE_FIRST + final) if final else EMPTY_FINAL
    return chr(INITIAL_FIRST + initial) + chr(MEDIAL_FIRST + medial) + tail


_TO_JAMO = {code: _decomposition(code) for code in range(SYLLABLE_FIRST, SYLLABLE_LAST + 1)}
_SYLLABLE = re.compile("([\u1100-\u1112])([\u1161-\u1175])([\u11a8-\u11c2]|" + EMPTY_FINAL + ")")
_HAS_SYLLABLE = re.compile("[\uac00-\ud7a3]")
_HAS_JAMO = re.compile("[\u1100-\u11ff]")


def to_jamo(text: str) -> str:
    """Every precomposed Hangul syllable in ``text`` as initial + medial + final (or ∅)."""
    return text.translate(_TO_JAMO)


def _compose(match: re.Match) -> str:
    initial, medial, final = (ord(ch) for ch in match.group(1, 2, 3))
    final_index = 0 if final == ord(EMPTY_FINAL) else final - FINAL_BEFORE_FIRST
    return chr(SYLLABLE_FIRST + ((initial - INITIAL_FIRST) * MEDIALS + medial - MEDIAL_FIRST) * FINALS + final_index)


def from_jamo(text: str) -> str:
    """The inverse of :func:`to_jamo` (``from_jamo(to_jamo(s)) == s`` for NFC text)."""
    return _SYLLABLE.sub(_compose, text)


def is_jamo_vocabulary(words: Iterable[str], look_at: int = 1000) -> bool:
    """True for a jamo model: conjoining jamo and no syllables among the first ``look_at`` words."""
    seen_jamo = False
    for count, word in enumerate(words):
        if count >= look_at:
            break
        if _HAS_SYLLABLE.search(word):
            return False
        seen_jamo = seen_jamo or bool(_HAS_JAMO.search(word))
    return seen_jamo


class Unit:
    """How a model spells words (config ``tokenizer.unit``): ``to_model`` for queries, ``to_display`` for answers."""

    def __init__(self, jamo: bool) -> None:
        self.jamo = jamo

    @classmethod
    def of(cls, words: Iterable[str]) -> "Unit":
        return cls(is_jamo_vocabulary(words))

    @property
    def name(self) -> str:
        return "jamo" if self.jamo else "syllable"

    def to_model(self, word: str) -> str:
        return to_jamo(word) if self.jamo else word

    def to_display(self, word: str) -> str:
        return from_jamo(word) if self.jamo else word
