"""Evaluation: load any vectors, score them on word-similarity and analogy files.

Works on any vectors: a fastText ``.bin``, a gensim ``.kv``/``.model``, a word2vec text or
binary file, or a ``export_torch`` directory.  The report uses it, and ``scripts/evaluate_vectors.py``
offers :func:`evaluate_vectors` as a CLI, so that a researcher can score their own sets::

    python scripts/evaluate_vectors.py --vectors results/nsmc_sample/train_fasttext/model.bin \\
        --similarity ws353_ko=resources/eval/WS353_korean.csv \\
        --analogy family_ko=resources/eval/analogy_family_ko.txt

Similarity files: CSV or TSV (by content), optional header, ``#`` comments, optional BOM;
the first two columns are the words and the last one the human score.  Spearman's rho is
computed over the pairs whose two words are in the vocabulary (``coverage`` = that share);
for vectors with subword information it is also computed over all pairs, with
out-of-vocabulary words built from their character n-grams, and, with a tokenizer (the eojeol
protocol), with words that are not tokens analysed into morphemes and composed
(:mod:`morphvec.query`).  Each ρ comes with a 95% bootstrap interval over the pairs
(:func:`spearman_interval`): on 353 pairs it is about ±0.09 wide, so two models' ρ are compared
by the paired interval of their difference, not by their digits.  Jamo and POS models are read
through :class:`morphvec.query.Space`, so evaluation files stay in ordinary Hangul.

Analogy files: the ``questions-words.txt`` format (``: section`` lines, then ``a b c d``),
scored with gensim's ``evaluate_word_analogies`` (3CosAdd over the vocabulary, query words
excluded, questions with an unknown word skipped; ``coverage`` = questions scored / all), and
for vectors with subwords also with the OOV-aware protocol of :func:`evaluate_analogies_subword`
(and its eojeol variant, whose candidates add the corpus' own eojeol: never the test's words).
Every analogy result also has Park et al.'s distance (:func:`park_distances`), the figure their
Korean analogy tables report; their WS353-ko protocol is ``spearman_all_pairs_subword``.
One parser per file kind: :func:`read_similarity_pairs`, :func:`read_analogy_questions`.
"""

import csv
import io
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from morphvec.corpus import read_token_counts, read_utf8
from morphvec.runtime import UserInputError, require_file, write_json
from morphvec.schema import SCHEMA_DEFAULT, configured

log = logging.getLogger("morphvec.evaluate")

# gensim's default for evaluate_word_analogies: answers among the 300,000 most frequent words.
RESTRICT_VOCAB = 300000


# --- word similarity -----------------------------------------------------------------------


def read_similarity_pairs(path: str | Path) -> list[tuple[str, str, float]]:
    """``(word1, word2, score)`` triples from a CSV/TSV similarity file (header optional)."""
    path = require_file(path, "similarity file", "check the evaluation.similarity paths in the config")
    text = read_utf8(path)
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise UserInputError(f"{path}: no word pairs in the file", "give a CSV/TSV file of word1, word2, score")
    delimiter = "\t" if "\t" in lines[0] else ","
    pairs = []
    for number, row in enumerate(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter), start=1):
        if len(row) < 3:
            raise UserInputError(
                f"{path}: row {number}: expected word1, word2 and a score, got {row}", "repair the row"
            )
        try:
            score = float(row[-1])
        except ValueError:
            if number == 1:
                continue  # a header
            raise UserInputError(
                f"{path}: row {number}: the score {row[-1]!r} is not a number", "repair the row"
            ) from None
        if not math.isfinite(score):
            raise UserInputError(f"{path}: row {number}: the score {row[-1]!r} is not finite", "repair the row")
        pairs.append((row[0].strip(), row[1].strip(), score))
    return pairs


# Resamples of the pairs (with replacement, seed 0) behind every ρ interval.  Measured on WS353-ko
# with the full NSMC model: 0.3445 to 0.5269 with 2,000, 0.3444 to 0.5280 with 20,000, and other
# seeds at 2,000 moved a bound by at most 0.004 (scipy's default is 9,999 resamples).
BOOTSTRAP_RESAMPLES = 2000


def spearman_interval(human: Sequence[float], model: Sequence[float], other: Sequence[float] | None = None):
    """The 95% bootstrap interval (percentile, scipy's ``bootstrap``) of Spearman's ρ between
    ``human`` and ``model`` scores, or with ``other`` (another model's scores of the same pairs)
    of ρ(model) − ρ(other), both computed on the same resamples (paired).  ``[low, high]`` rounded
    to 4 places, or None when there are fewer than 3 pairs or a resample has no ρ (a constant
    column)."""
    import warnings

    from scipy.stats import bootstrap

    if len(human) < 3:
        return None
    columns = [np.asarray(human, dtype=np.float64), np.asarray(model, dtype=np.float64)]
    if other is not None:
        columns.append(np.asarray(other, dtype=np.float64))

    def statistic(gold, first, second=None, axis=-1):
        rho = _spearman_along(gold, first, axis)
        return rho if second is None else rho - _spearman_along(gold, second, axis)

    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore")  # a constant resample: its ρ is NaN, and so is the interval
        found = bootstrap(
            columns, statistic, paired=True, vectorized=True, n_resamples=BOOTSTRAP_RESAMPLES,
            method="percentile", rng=np.random.default_rng(0),
        )  # fmt: skip
    low, high = found.confidence_interval
    return None if math.isnan(low) or math.isnan(high) else [round(float(low), 4), round(float(high), 4)]


def _spearman_along(x: np.ndarray, y: np.ndarray, axis: int) -> np.ndarray:
    """Spearman's ρ of many resamples at once (Pearson of average ranks, as ``spearmanr``):
    scipy's ``spearmanr`` takes one sample per call (about 4,500 calls a second on 353 pairs here)."""
    from scipy.stats import rankdata

    x, y = (rankdata(v, axis=axis) for v in (x, y))
    x, y = x - x.mean(axis=axis, keepdims=True), y - y.mean(axis=axis, keepdims=True)
    return (x * y).sum(axis=axis) / np.sqrt((x * x).sum(axis=axis) * (y * y).sum(axis=axis))


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    denominator = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.dot(a, b) / denominator) if denominator > 0 else 0.0


def evaluate_similarity(kv, pairs: list[tuple[str, str, float]]) -> dict:
    """Spearman (and Pearson) between human scores and cosine similarities, per protocol.

    ``kv``: any loaded vectors or a :class:`morphvec.query.Space`.  In-vocabulary: pairs whose words are both
    tokens of the model.  All pairs, subword: unknown words get their character n-gram vectors.
    All pairs, eojeol (with a tokenizer): unknown words are analysed into morphemes and composed
    (:meth:`Space.get_vector`), the protocol for test sets written in eojeol.
    """
    from scipy.stats import pearsonr, spearmanr

    space = as_space(kv)

    def score(protocol: str):
        human, model, used = [], [], []
        for a, b, gold in pairs:
            if protocol == "in_vocab" and (space.lookup(a) is None or space.lookup(b) is None):
                continue
            eojeol = protocol == "eojeol"
            human.append(gold)
            model.append(_cosine(space.get_vector(a, eojeol=eojeol), space.get_vector(b, eojeol=eojeol)))
            used.append((a, b, gold, model[-1]))
        if len(human) < 3:
            return None, None, used
        rho = spearmanr(human, model).statistic
        r = pearsonr(human, model).statistic
        return (None if math.isnan(rho) else float(rho)), (None if math.isnan(r) else float(r)), used

    def interval(used: list) -> list[float] | None:
        return spearman_interval([p[2] for p in used], [p[3] for p in used])

    rho, r, used = score("in_vocab")
    result = {
        "pairs": len(pairs),
        "pairs_in_vocab": len(used),
        "coverage": round(len(used) / len(pairs), 6) if pairs else 0.0,
        "spearman": rho,
        "spearman_interval": interval(used),
        "pearson": r,
    }
    if space.has_subwords:
        rho_all, _, used_all = score("subword")
        result["spearman_all_pairs_subword"] = rho_all
        result["spearman_all_pairs_subword_interval"] = interval(used_all)
        # every pair's human score and cosine, in the file's order: what a paired comparison of
        # two runs needs (the summary's difference from the first run)
        result["human_scores"] = [p[2] for p in used_all]
        result["cosines_all_pairs_subword"] = [round(p[3], 6) for p in used_all]
        result["scored_pairs"] = [list(p) for p in used_all]
    else:
        result["scored_pairs"] = [list(p) for p in used]
    if space.tokenizer is not None and (space.has_subwords or len(used) < len(pairs)):
        rho_eojeol, _, _ = score("eojeol") if space.has_subwords else (None, None, None)
        result["spearman_all_pairs_eojeol"] = rho_eojeol
    return result


# --- analogies -----------------------------------------------------------------------------


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
        distance = 1.0 - _cosine(unit(b) - unit(a) + unit(c), unit(d))
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


def evaluation_words(similarity: dict[str, str], analogy: dict[str, str]) -> dict[str, set[str]]:
    """The distinct words of each evaluation file."""
    words = {}
    for name, path in similarity.items():
        words[name] = {w for a, b, _ in read_similarity_pairs(path) for w in (a, b)}
    for name, path in analogy.items():
        words[name] = {w for _, question in read_analogy_questions(path) for w in question}
    return words


# --- neighbours ----------------------------------------------------------------------------


def nearest_neighbours(
    kv, words: list[str], topn: int = 10, space_name: str = "in", content_only: bool = False
) -> dict:
    """Neighbours of each probe word (None for a word the model has no vector for)."""
    space = as_space(kv)
    result = {}
    for word in words:
        try:
            found = space.neighbours(word, topn, space_name, content_only)
        except KeyError:
            result[word] = None
            continue
        result[word] = [[other, score] for other, score in found]
    return result


def as_space(kv):
    """Any loaded vectors as a :class:`morphvec.query.Space` (Hangul keys, POS bare words)."""
    from morphvec.query import Space

    return kv if isinstance(kv, Space) else Space(kv)


def evaluate(
    kv,
    similarity: dict[str, str],
    analogy: dict[str, str],
    eojeol_words: Sequence[str] = (),
    eojeol_min_count: int | None = None,
) -> dict:
    """Similarity and analogy scores, plus how much of each file's vocabulary the model knows.

    Analogies are scored with gensim's protocol and, for vectors with subwords, the
    OOV-aware one (``analogy_subword``); with a tokenizer also the eojeol one (``analogy_eojeol``,
    whose candidates are the vocabulary and ``eojeol_words``: the corpus' eojeol, see
    :func:`eojeol_candidates`, recorded with the ``eojeol_min_count`` that chose them in
    ``eojeol_candidates``).  Every analogy result has Park et al.'s distance beside accuracy.
    """
    space = as_space(kv)
    out: dict = {"similarity": {}, "analogy": {}, "analogy_subword": {}, "vocabulary_coverage": {}}
    if space.tokenizer is not None and space.has_subwords:
        out["analogy_eojeol"] = {}
        if analogy:
            rule = {"min_count": eojeol_min_count, "corpus_eojeol": len(eojeol_words)}
            eojeol_words = composed_candidates(space, eojeol_words)  # once for every file
            out["eojeol_candidates"] = {**rule, "not_tokens": len(eojeol_words.words)}
    for name, path in similarity.items():
        out["similarity"][name] = evaluate_similarity(space, read_similarity_pairs(path))
    for name, path in analogy.items():
        out["analogy"][name] = evaluate_analogies(space, path)
        if space.has_subwords:
            out["analogy_subword"][name] = evaluate_analogies_subword(space, path)
        if "analogy_eojeol" in out:
            out["analogy_eojeol"][name] = evaluate_analogies_subword(
                space, path, eojeol=True, eojeol_words=eojeol_words
            )
    for name, words in evaluation_words(similarity, analogy).items():
        known = sum(1 for w in words if space.lookup(w) is not None)
        out["vocabulary_coverage"][name] = {
            "words": len(words),
            "in_vocabulary": known,
            "share": round(known / len(words), 6) if words else 0.0,
        }
    return out


def headline_scores(quality: dict, probe: dict | None = None) -> dict:
    """The scores a size-quality curve compares: the first similarity set's ρ over all pairs
    (subword vectors), the first analogy set's OOV-aware accuracy, the probe's accuracy."""
    similarity = next(iter(quality["similarity"].values()), {})
    analogy = next(iter(quality.get("analogy_subword", {}).values()), {})
    return {
        "rho": similarity.get("spearman_all_pairs_subword", similarity.get("spearman")),
        "analogy": analogy.get("accuracy"),
        "probe": (probe or {}).get("accuracy"),
    }


# --- the CLI --------------------------------------------------------------------------------


@configured("evaluation")
def evaluate_vectors(
    vectors: str | Path,
    scores: str | Path | None = None,
    eojeol_counts: str | Path | None = None,
    *,
    format: str = "auto",
    trust_pickle: bool = False,
    tokenizer: str | None = None,
    similarity: dict[str, str] = SCHEMA_DEFAULT,
    analogy: dict[str, str] = SCHEMA_DEFAULT,
    probe_words: list[str] = SCHEMA_DEFAULT,
    eojeol_min_count: int = SCHEMA_DEFAULT,
) -> dict:
    """Score any word vectors on word-similarity and analogy files (and list neighbours).

    ``vectors``: a fastText .bin, gensim .kv/.model, word2vec .txt/.bin, or a torch export
    directory; ``format`` one of auto, fasttext, gensim, word2vec, word2vec-binary, torch.  The
    scores are written to ``scores`` as JSON if given (and printed).  gensim files are pickles
    and are refused unless ``trust_pickle`` says they come from a trusted source.  ``tokenizer``
    (mecab or kiwi, the tokenizer the model's corpus was cut with) adds the eojeol protocol:
    words that are not tokens of the model are analysed into morphemes and composed, and the
    analogy answers are sought among the tokens and the corpus' eojeol seen at least
    ``eojeol_min_count`` times in ``eojeol_counts`` (the run's tokenize_corpus/eojeol_counts.tsv;
    without it, among the tokens alone).  Jamo and POS models are recognised from their
    vocabulary and queried in ordinary Hangul.  Every ρ has its 95% bootstrap interval; the
    scores file also holds each pair's human score and cosine (``human_scores``,
    ``cosines_all_pairs_subword``), for comparing two models pair by pair
    (:func:`spearman_interval` with ``other``).
    """
    from morphvec.query import check_tokenizer, open_space

    check_tokenizer(tokenizer)
    eojeol_words = eojeol_candidates(eojeol_counts, eojeol_min_count) if tokenizer else []
    space = open_space(vectors, format, trust_pickle, tokenizer=tokenizer)
    result = evaluate(space, similarity, analogy, eojeol_words, eojeol_min_count)
    for scored in result["similarity"].values():
        scored.pop("scored_pairs", None)
    if probe_words:
        result["neighbours"] = nearest_neighbours(space, probe_words)
    if scores is not None:
        write_json(scores, result)
    for scored in result["similarity"].values():  # kept in the scores file, not printed: one per pair
        scored.pop("human_scores", None)
        scored.pop("cosines_all_pairs_subword", None)
    return result


evaluate_vectors.option_help = {
    "vectors": "the vectors to score: a fastText .bin, a torch export directory, a word2vec file, a gensim file "
    "(with --trust-pickle)",
    "scores": "also write the scores to this JSON file",
    "eojeol_counts": "the run's tokenize_corpus/eojeol_counts.tsv (--run-dir gives it): the corpus' eojeol, "
    "candidates of the eojeol analogy protocol",
    "format": "the format of --vectors (auto: from the name and content)",
    "trust_pickle": "open gensim .kv/.model files, which are pickles (only files you made yourself)",
    "tokenizer": "the run's tokenizer (mecab or kiwi): adds the eojeol protocol, words that are not tokens cut "
    "into morphemes and composed",
}
