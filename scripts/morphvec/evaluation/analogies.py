"""Analogies: gensim's protocol (3CosAdd over the vocabulary), the OOV-aware one over all
questions, the eojeol one whose candidates add the corpus' own eojeol, and Park et al.'s distance."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from morphvec.corpus import read_token_counts, read_utf8
from morphvec.evaluation.statistics import cosine
from morphvec.evaluation.words import as_space
from morphvec.runtime import UserInputError, require_file

log = logging.getLogger("morphvec.evaluate")

# gensim's default for evaluate_word_analogies: answers among the 300,000 most frequent words.
RESTRICT_VOCAB = 300000


def evaluate_analogies(kv, path: str | Path, restrict_vocab: int = RESTRICT_VOCAB) -> dict:
    """gensim's ``evaluate_word_analogies`` with the share of questions it could score, and Park
    et al.'s distance over the same questions (every word among the ``restrict_vocab`` most frequent)."""
    questions = read_analogy_questions(path)
    space = as_space(kv)
    if not hasattr(kv, "evaluate_word_analogies"):
        kv = kv.keyed_vectors()  # a Space or torch export: its vocabulary's vectors, keys as users write them
    accuracy, sections = kv.evaluate_word_analogies(str(path), restrict_vocab=restrict_vocab)
    per_section = {}
    scored = 0
    for section in sections:
        n = len(section["correct"]) + len(section["incorrect"])
        if section["section"] == "Total accuracy":
            scored = n
            continue
        per_section[section["section"]] = {
            "correct": len(section["correct"]),
            "scored": n,
            "accuracy": round(len(section["correct"]) / n, 6) if n else None,
        }
    candidates, spelled = _vocabulary_spelling(space, restrict_vocab)
    known = set(candidates)
    in_vocabulary = [(s, [spelled(w) for w in words]) for s, words in questions]
    in_vocabulary = [(s, words) for s, words in in_vocabulary if all(w in known for w in words)]
    distances = park_distances(in_vocabulary, lambda word: space.get_vector(word, eojeol=False))
    return {
        "questions": len(questions),
        "scored": scored,
        "coverage": round(scored / len(questions), 6),
        "accuracy": round(float(accuracy), 6) if scored else None,
        **_distance_fields(distances, per_section),
        "sections": per_section,
        "candidates": min(restrict_vocab, len(kv.index_to_key)),
    }


def park_distances(questions: list[tuple[str, list[str]]], vector) -> dict[str, list[float]]:
    """``[sum, count]`` per section of Park et al.'s (ACL 2018) analogy distance
    ``1 - cos(b - a + c, d)`` (lower is better), with ``vector(word)`` the protocol's vectors.

    ``a``, ``b`` and ``c`` enter as unit vectors, as in 3CosAdd: a composed eojeol's vector is a
    mean of unit vectors and a vocabulary row is not, so raw norms would weigh the protocols'
    words differently.  No candidate set is involved: every question given is measured.
    """
    cache: dict[str, np.ndarray] = {}

    def unit(word: str) -> np.ndarray:
        if word not in cache:
            cache[word] = _unit(vector(word))
        return cache[word]

    totals: dict[str, list[float]] = {}
    for section, (a, b, c, d) in questions:
        distance = 1.0 - cosine(unit(b) - unit(a) + unit(c), unit(d))
        total = totals.setdefault(section, [0.0, 0])
        total[0] += distance
        total[1] += 1
    return totals


def _distance_fields(distances: dict[str, list[float]], per_section: dict) -> dict:
    """Park's distance into a result: its mean per section (set into ``per_section``) and overall."""
    for name, (total, n) in distances.items():
        per_section.setdefault(name, {}).update({"distance": round(total / n, 6), "distance_questions": n})
    measured = sum(n for _, n in distances.values())
    overall = sum(total for total, _ in distances.values())
    return {"distance": round(overall / measured, 6) if measured else None, "distance_questions": measured}


def _vocabulary_spelling(space, restrict_vocab: int):
    """The candidate vocabulary (the ``restrict_vocab`` most frequent words) and a function that
    spells a test word as the vocabulary does: its own row, else case-insensitively (the most
    frequent form wins, as gensim matches), else unchanged."""
    candidates = list(space.index_to_key[:restrict_vocab])
    vocabulary_form = {word.upper(): word for word in reversed(candidates)}

    def spelled(word: str) -> str:
        index = space.lookup(word)
        if index is not None and index < len(candidates):
            return candidates[index]
        return vocabulary_form.get(word.upper(), word)

    return candidates, spelled


def read_analogy_questions(path: str | Path) -> list[tuple[str, list[str]]]:
    """``(section, [a, b, c, d])`` for every question of a ``questions-words`` file."""
    path = require_file(path, "analogy file", "check the evaluation.analogy paths in the config")
    questions: list = []
    section = None
    for number, line in enumerate(read_utf8(path).splitlines(), start=1):
        if line.startswith(":"):
            section = line[1:].strip()
        elif line.strip():
            words = line.split()
            if section is None:  # gensim's reader stops here with "Missing section header"
                raise UserInputError(
                    f"{path}: line {number}: a question before the first ': section' line",
                    "start the file with a section line such as ': capital-common-countries' (the "
                    "questions-words format)",
                )
            if len(words) != 4:
                raise UserInputError(
                    f"{path}: line {number}: an analogy question needs 4 words, got {len(words)}",
                    "write 'a b c d' (a is to b as c is to d), or ': section' lines",
                )
            questions.append((section, words))
    if not questions:
        raise UserInputError(f"{path}: no questions found", "expected ': section' lines and 'a b c d' question lines")
    return questions


@dataclass
class ComposedCandidates:
    """The eojeol protocol's extra candidates: words that are not tokens, and their composed unit
    vectors (one float32 row each)."""

    words: list[str]
    rows: np.ndarray


def evaluate_analogies_subword(
    kv,
    path: str | Path,
    restrict_vocab: int = RESTRICT_VOCAB,
    batch: int = 512,
    eojeol: bool = False,
    eojeol_words: Sequence[str] | ComposedCandidates = (),
) -> dict:
    """Analogies with subword vectors for the query words (OOV-aware protocol).

    3CosAdd like gensim: the answer is the vocabulary word (among the ``restrict_vocab`` most
    frequent) closest to ``b - a + c`` of unit vectors, ``a``, ``b`` and ``c`` excluded; but
    ``a``, ``b`` and ``c`` may be out of the vocabulary and get their character n-gram vectors.
    A question is scored when its expected answer ``d`` is a candidate.  Like gensim's default,
    words match the vocabulary case-insensitively (the most frequent form wins); in a POS model a
    word without a tag is its most frequent tagged form.

    With ``eojeol`` (the protocol for sections written in eojeol, on a morpheme model with a
    tokenizer) unknown words are composed from their morphemes, and the candidates are the
    vocabulary *plus* ``eojeol_words`` that are not tokens, composed the same way: the corpus'
    own eojeol (:func:`eojeol_candidates`), so that the candidates do not depend on the test
    (or those words and their unit vectors from :func:`composed_candidates`, made once for many files).
    An answer that is neither a token nor one of them cannot be found, and its question is not
    scored.  Park et al.'s distance (:func:`park_distances`) is measured on every question.
    """
    space = as_space(kv)
    candidates, spelled = _vocabulary_spelling(space, restrict_vocab)
    questions = [(section, [spelled(word) for word in words]) for section, words in read_analogy_questions(path)]
    cache: dict[str, np.ndarray] = {}

    def unit(word: str) -> np.ndarray:
        if word not in cache:
            cache[word] = _unit(space.get_vector(word, eojeol=eojeol))
        return cache[word]

    matrix = np.asarray(space.vectors[: len(candidates)], dtype=np.float32)
    matrix = matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    if eojeol:
        if not isinstance(eojeol_words, ComposedCandidates):
            eojeol_words = composed_candidates(space, eojeol_words, restrict_vocab)
        if eojeol_words.words:
            candidates += eojeol_words.words
            matrix = np.vstack([matrix, eojeol_words.rows])
    position = {word: i for i, word in enumerate(candidates)}
    scorable = [(section, words) for section, words in questions if words[3] in position]
    per_section = _three_cos_add(scorable, unit, matrix, position, batch)
    correct_total = sum(c for c, _ in per_section.values())
    sections = {name: {"correct": 0, "scored": 0, "accuracy": None} for name in dict.fromkeys(s for s, _ in questions)}
    for name, (c, n) in per_section.items():
        sections[name] = {"correct": c, "scored": n, "accuracy": round(c / n, 6)}
    distances = park_distances(questions, unit)  # the same unit vectors as 3CosAdd, computed once
    return {
        "questions": len(questions),
        "scored": len(scorable),
        "coverage": round(len(scorable) / len(questions), 6) if questions else 0.0,
        "accuracy": round(correct_total / len(scorable), 6) if scorable else None,
        **_distance_fields(distances, sections),
        "sections": sections,
        "protocol": EOJEOL_PROTOCOL if eojeol else SUBWORD_PROTOCOL,
        "candidates": len(candidates),
        **({"eojeol_candidates": len(candidates) - min(restrict_vocab, len(space.index_to_key))} if eojeol else {}),
    }


SUBWORD_PROTOCOL = "3CosAdd over the vocabulary, query words excluded, subword vectors for unknown query words"
EOJEOL_PROTOCOL = (
    "3CosAdd over the vocabulary and the corpus' own eojeol (counted while tokenizing, at least "
    "eojeol_min_count times), unknown words composed from their morphemes"
)


def _unit(vector) -> np.ndarray:
    vector = np.asarray(vector, dtype=np.float32)
    return vector / max(float(np.linalg.norm(vector)), 1e-12)


def composed_candidates(space, words: Sequence[str], restrict_vocab: int = RESTRICT_VOCAB) -> ComposedCandidates:
    """``words`` that are not among the ``restrict_vocab`` candidate tokens, composed."""
    known = set(space.index_to_key[:restrict_vocab])
    extra = [w for w in dict.fromkeys(words) if w not in known and space.lookup(w) is None]
    rows = np.empty((len(extra), space.vectors.shape[1]), dtype=np.float32)
    for i, word in enumerate(extra):
        rows[i] = _unit(space.get_vector(word, eojeol=True))
    return ComposedCandidates(extra, rows)


def eojeol_candidates(eojeol_counts: str | Path | None, min_count: int) -> list[str]:
    """The corpus' eojeol (whitespace tokens of the raw documents, as the tokenize step counted
    them in ``eojeol_counts``) seen at least ``min_count`` times, most frequent first; none
    without the file."""
    if eojeol_counts is None:
        return []
    path = require_file(eojeol_counts, "eojeol counts", "run the tokenize step (tokenize_corpus/eojeol_counts.tsv)")
    words = []
    for word, count in read_token_counts(path):
        if count < min_count:
            break  # most frequent first
        words.append(word)
    return words


def _three_cos_add(scorable: list, unit, matrix: np.ndarray, position: dict, batch: int) -> dict[str, list[int]]:
    """``[correct, scored]`` per section: 3CosAdd answers among ``matrix``'s rows, query words excluded."""
    per_section: dict[str, list[int]] = {}
    for start in range(0, len(scorable), batch):
        chunk = scorable[start : start + batch]
        queries = np.stack([unit(b) - unit(a) + unit(c) for _, (a, b, c, _d) in chunk])
        scores = queries @ matrix.T
        for row, (_, (a, b, c, _d)) in enumerate(chunk):
            for word in (a, b, c):
                if word in position:
                    scores[row, position[word]] = -np.inf
        guesses = scores.argmax(axis=1)
        for row, (section, (_a, _b, _c, d)) in enumerate(chunk):
            counts = per_section.setdefault(section, [0, 0])
            counts[0] += int(guesses[row] == position[d])
            counts[1] += 1
    return per_section
