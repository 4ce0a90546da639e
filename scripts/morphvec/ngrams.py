"""fastText's character n-grams and their hash buckets, in plain Python (no torch, no gensim).

Two subword schemes (config ``subwords``, in a run's ``ngram_settings.json``):

* ``fasttext``: fastText's character n-grams of ``<word>``, ``min_n`` to ``max_n`` characters;
* ``syllable_jamo``: Park et al.'s (ACL 2018) combination, the same syllable n-grams *and* the
  jamo n-grams of :data:`JAMO_NGRAMS` lengths of the word written in jamo (:func:`morphvec.jamo.to_jamo`,
  ``∅`` for an empty final), those that hold at least one jamo (the others are syllable n-grams
  already).  Only gensim's trainer can train it (fastText's ``.bin`` has no field for it).

The query tool reads a torch export with numpy alone (:class:`morphvec.formats.NumpyExport`), so
that a neighbour query does not pay for importing torch (1.4 s) or gensim (1 s).  The same rule
lives in the export's own loader, ``fasttext_torch.py``, batched as tensor operations: that file
is copied beside every export and must stay self-contained, hence a second copy here (the tests
check both against fastText's ``get_subwords``).
"""

from morphvec.jamo import EMPTY_FINAL, to_jamo

JAMO_NGRAMS = (3, 5)  # Park et al.'s jamo n-gram lengths (their -minjn, -maxjn)

_FNV_OFFSET = 2166136261
_FNV_PRIME = 16777619


def fasttext_hash(text: str) -> int:
    """fastText's FNV-1a hash of a string's UTF-8 bytes, each byte sign-extended (``int8_t``)."""
    h = _FNV_OFFSET
    for byte in text.encode("utf-8"):
        h = ((h ^ (byte | 0xFFFFFF00 if byte >= 0x80 else byte)) * _FNV_PRIME) & 0xFFFFFFFF
    return h


def char_ngrams(word: str, min_n: int, max_n: int) -> list[str]:
    """``Dictionary::computeSubwords``: n-grams of ``<word>``, without the lone ``<`` and ``>``."""
    chars = "<" + word + ">"
    grams = []
    for start in range(len(chars)):
        for n in range(max(min_n, 1), max_n + 1):
            end = start + n
            if end > len(chars):
                break
            if n == 1 and (start == 0 or end == len(chars)):
                continue
            grams.append(chars[start:end])
    return grams


def is_jamo(char: str) -> bool:
    """A conjoining jamo or the empty-final mark: what a jamo n-gram must hold."""
    return "\u1100" <= char <= "\u11ff" or char == EMPTY_FINAL


def word_ngrams(word: str, min_n: int, max_n: int, subwords: str = "fasttext") -> list[str]:
    """The subword strings of ``word`` under ``subwords`` (module docstring)."""
    grams = char_ngrams(word, min_n, max_n)
    if subwords == "syllable_jamo":
        grams += [gram for gram in char_ngrams(to_jamo(word), *JAMO_NGRAMS) if any(map(is_jamo, gram))]
    return grams


def ngram_buckets(word: str, min_n: int, max_n: int, bucket: int, subwords: str = "fasttext") -> list[int]:
    """Rows of ``word``'s subwords in the n-gram matrix (none without n-grams)."""
    if bucket == 0 or max_n == 0:
        return []
    return [fasttext_hash(gram) % bucket for gram in word_ngrams(word, min_n, max_n, subwords)]
