"""Sentence similarity (STS): Spearman's ρ between a pair file's gold scores and the cosine of the
two sentences' vectors, for every way a run makes sentence vectors and every input, beside a
model-free baseline computed on the same pairs.

**Methods.** ``<vectors>_<flavour>_<input>``: ``mean``, the mean of the unit vectors of a
sentence's tokens (fastText's ``get_sentence_vector``; the static export's rows are unit already,
its mean is the same), or ``sif``, the static export's SIF flavour (:mod:`morphvec.sif`), on
``raw`` input (the sentence split at whitespace, as sentence-transformers and model2vec
users call ``encode``) and on ``analysed`` input (cut into morphemes by the run's tokenizer, as
the corpus was).  ``char_tfidf_baseline``: the cosine of TF-IDF vectors of character 2–4-grams within words
(scikit-learn's ``char_wb``, IDF from the pair file's own sentences): no model at all, the figure a model has
to beat.  Each method's ρ has its 95% bootstrap interval over the pairs (from
:data:`MIN_PAIRS_FOR_INTERVAL` pairs), and the file keeps the gold scores and every method's
cosines, in the file's order, for paired comparisons of runs (the summary).

**Pair files.** KorSTS's TSV (``genre filename year id score sentence1 sentence2``, read with
quoting off, scores 0–5), any TSV or CSV whose header names ``sentence1``, ``sentence2`` and
``score``, the same three columns without a header, or JSON lines with those keys; ``.gz`` too.
"""

import csv
import gzip
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from morphvec.corpus import read_utf8
from morphvec.evaluation.statistics import spearman_interval
from morphvec.runtime import UserInputError, require_file

COLUMNS = ("sentence1", "sentence2", "score")
# KorSTS (Ham et al. 2020), as STS-B: the header's first columns, and the scale of its scores.
KORSTS_COLUMNS = ("genre", "filename", "year", "id", "score", "sentence1", "sentence2")
KORSTS_SCALE = (0.0, 5.0)
# Below this many pairs a bootstrap interval of ρ says little (its resamples repeat a few pairs);
# the result says so instead of printing one.
MIN_PAIRS_FOR_INTERVAL = 30
BASELINE = "char_tfidf_baseline"
FIX = "repair the line, or give a file of sentence1, sentence2, score (TSV, CSV or JSON lines)"

# A sentence encoder: whitespace-separated token strings in, one row per string out.
Encoder = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class SentencePairs:
    """A pair file as read: both sides and the gold scores, in the file's order."""

    path: Path
    first: list[str]
    second: list[str]
    gold: np.ndarray
    scale: tuple[float, float] | None  # KorSTS's 0-5; None: any finite score

    @property
    def sentences(self) -> list[str]:
        return [*self.first, *self.second]


def _text_of(path: Path) -> str:
    if path.suffix != ".gz":
        return read_utf8(path)
    try:
        data = gzip.decompress(path.read_bytes())
    except (OSError, EOFError) as error:
        raise UserInputError(f"{path}: not a readable gzip file ({error})", "give the file again, whole") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise UserInputError(f"{path}: line {line}: not UTF-8", "convert the text inside to UTF-8") from None


def _rows_delimited(path: Path, lines: list[tuple[int, str]]) -> list[tuple[int, dict]]:
    """``(line number, {column: value})`` of a TSV (quoting off, as KorSTS is read) or CSV file."""
    dialect = {"delimiter": "\t", "quoting": csv.QUOTE_NONE} if "\t" in lines[0][1] else {}
    rows = [next(csv.reader([text], **dialect)) for _, text in lines]  # a line each: a stray quote stays in it
    header = [cell.strip().lower() for cell in rows[0]]
    named = set(COLUMNS) <= set(header)
    if not named and len(rows[0]) != 3:
        raise UserInputError(
            f"{path}: line {lines[0][0]}: the header names {', '.join(repr(h) for h in header[:8])}, not sentence1, "
            "sentence2 and score",
            "name the columns sentence1, sentence2 and score, or give exactly these three columns without a header",
        )
    columns = header if named else list(COLUMNS)
    found = []
    for (number, _), row in zip(lines[1:] if named else lines, rows[1:] if named else rows, strict=True):
        if len(row) != len(columns):
            raise UserInputError(f"{path}: line {number}: {len(row)} columns, the file has {len(columns)}", FIX)
        found.append((number, dict(zip(columns, row, strict=True))))
    return found


def _rows_json(path: Path, lines: list[tuple[int, str]]) -> list[tuple[int, dict]]:
    found = []
    for number, text in lines:
        try:
            row = json.loads(text)
        except json.JSONDecodeError as error:
            raise UserInputError(f"{path}: line {number}: not JSON ({error.msg})", FIX) from None
        if not isinstance(row, dict):
            raise UserInputError(f"{path}: line {number}: a JSON object with {', '.join(COLUMNS)} expected", FIX)
        found.append((number, row))
    return found


def read_sentence_pairs(path: str | Path) -> SentencePairs:
    """A sentence-pair file (module docstring); every problem is one message naming the line."""
    path = require_file(path, "sentence-pair file", "check the evaluation.sts paths in the config")
    lines = [(n, line) for n, line in enumerate(_text_of(path).splitlines(), start=1) if line.strip()]
    if not lines:
        raise UserInputError(f"{path}: no sentence pairs in the file", FIX)
    json_lines = lines[0][1].lstrip().startswith("{")
    rows = _rows_json(path, lines) if json_lines else _rows_delimited(path, lines)
    header = lines[0][1].lower().split("\t")
    scale = KORSTS_SCALE if tuple(cell.strip() for cell in header) == KORSTS_COLUMNS else None
    first, second, gold = [], [], []
    for number, row in rows:
        missing = [column for column in COLUMNS if column not in row]
        if missing:
            raise UserInputError(f"{path}: line {number}: no {', '.join(missing)}", FIX)
        try:
            score = float(row["score"])
        except (TypeError, ValueError):
            raise UserInputError(f"{path}: line {number}: the score {row['score']!r} is not a number", FIX) from None
        if not math.isfinite(score) or (scale and not scale[0] <= score <= scale[1]):
            within = f"outside KorSTS's {scale[0]:g}-{scale[1]:g}" if scale else "not finite"
            raise UserInputError(f"{path}: line {number}: the score {row['score']!r} is {within}", FIX)
        sentences = [row[column] for column in ("sentence1", "sentence2")]
        if not all(isinstance(s, str) and s.strip() for s in sentences):
            side = "sentence1" if not (isinstance(sentences[0], str) and sentences[0].strip()) else "sentence2"
            raise UserInputError(f"{path}: line {number}: {side} is empty", FIX)
        first.append(sentences[0].strip())
        second.append(sentences[1].strip())
        gold.append(score)
    if len(gold) < 3:
        raise UserInputError(f"{path}: {len(gold)} sentence pairs; ρ needs 3 at least", "give a larger pair file")
    return SentencePairs(path, first, second, np.asarray(gold, dtype=np.float64), scale)


# --- scoring -------------------------------------------------------------------------------


def row_cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The cosine of each row of ``a`` with the same row of ``b`` (0 where either is zero)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    dots = np.einsum("ij,ij->i", a, b)
    return np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)


def char_tfidf_cosines(pairs: SentencePairs) -> np.ndarray:
    """The model-free baseline: TF-IDF vectors of character 2-4-grams within words (IDF from the
    file's sentences).  On KorSTS test: 65.0 (plain ``char`` n-grams across spaces: 64.5)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)).fit_transform(pairs.sentences)
    n = len(pairs.first)
    # rows are L2-normalised: the cosine of a pair is the dot product of its rows
    return np.asarray(matrix[:n].multiply(matrix[n:]).sum(axis=1)).ravel()


def _scored(gold: np.ndarray, cosines: np.ndarray) -> dict:
    from scipy.stats import spearmanr

    rho = float(spearmanr(gold, cosines).statistic) if np.ptp(cosines) > 0 else None
    scored: dict = {"spearman": None if rho is None or math.isnan(rho) else round(rho, 6)}
    if len(gold) >= MIN_PAIRS_FOR_INTERVAL:
        scored["spearman_interval"] = spearman_interval(gold, cosines)
    else:
        scored["spearman_interval"] = None
        scored["interval_note"] = f"{len(gold)} pairs: too few for a bootstrap interval ({MIN_PAIRS_FOR_INTERVAL}+)"
    return scored


def evaluate_sentences(
    pairs: SentencePairs,
    encoders: dict[str, Encoder],
    analyse: Callable[[str], Sequence[str]] | None = None,
    unknown: dict[str, Callable[[list[str]], float]] | None = None,
    raw_references: dict[str, str] | None = None,
) -> dict:
    """ρ of every method on one pair file (module docstring).  ``encoders``: the run's ways to
    make sentence vectors by name (``fasttext_mean``, ``static_mean``, ``static_sif``), each
    given whitespace-separated token strings; ``analyse``: a sentence to the model's tokens
    (None: raw input only, as for a whitespace corpus); ``unknown``: by encoder, the share of a
    list of token strings' tokens it has no row for; ``raw_references``: by encoder, the encoder
    whose vector of the *analysed* sentence its raw-text vector should equal (``raw_agreement``:
    the cosines' mean, 1st percentile and minimum over the file's sentences)."""
    inputs = {"raw": pairs.sentences}
    if analyse is not None:
        inputs["analysed"] = [" ".join(analyse(sentence)) for sentence in pairs.sentences]
    n = len(pairs.first)
    cosines = {BASELINE: char_tfidf_cosines(pairs)}
    unknown_shares, vectors = {}, {}
    for name, encode in encoders.items():
        for kind, texts in inputs.items():
            method = f"{name}_{kind}"
            vectors[method] = encode(texts)
            cosines[method] = row_cosines(vectors[method][:n], vectors[method][n:])
            if unknown and name in unknown:
                unknown_shares[method] = round(unknown[name](texts), 6)
    agreement = {
        f"{name}_raw": raw_agreement(vectors[f"{name}_raw"], vectors[f"{reference}_analysed"], reference)
        for name, reference in (raw_references or {}).items()
        if f"{name}_raw" in vectors and f"{reference}_analysed" in vectors
    }
    methods = {}
    for method, values in cosines.items():
        methods[method] = _scored(pairs.gold, values)
        if method in unknown_shares:
            methods[method]["tokens_unknown_share"] = unknown_shares[method]
        if method in agreement:
            methods[method]["raw_agreement"] = agreement[method]
    return {
        "pairs": n,
        "scale": list(pairs.scale) if pairs.scale else None,
        "methods": methods,
        # in the file's order, for a paired comparison of two runs (the summary); not rounded: the
        # cosines of a small model's sentences can differ only in their seventh decimal
        "gold_scores": [float(g) for g in pairs.gold],
        "cosines": {method: [float(c) for c in values] for method, values in cosines.items()},
    }


def raw_agreement(raw: np.ndarray, analysed: np.ndarray, reference: str) -> dict:
    """How close raw-text vectors are to the ``reference`` encoder's vectors of the same sentences
    analysed (the issue's measure of raw input: mean cosine >= 0.97, minimum >= 0.80)."""
    cosines = row_cosines(raw, analysed)
    return {
        "reference": f"{reference}_analysed",
        "sentences": len(cosines),
        "mean_cosine": round(float(cosines.mean()), 6),
        "p01_cosine": round(float(np.percentile(cosines, 1)), 6),
        "min_cosine": round(float(cosines.min()), 6),
    }


def sentence_texts(sts: dict[str, str]) -> set[str]:
    """Every sentence of the pair files (what the report's analyser cuts ahead of time)."""
    return {sentence for path in sts.values() for sentence in read_sentence_pairs(path).sentences}


def tokens_unknown_share(texts: list[str], known: Callable[[str], bool]) -> float:
    """The share of the whitespace tokens of ``texts`` for which ``known`` is false."""
    tokens = [token for text in texts for token in text.split()]
    return sum(1 for token in tokens if not known(token)) / len(tokens) if tokens else 0.0


def space_encoder(space) -> Encoder:
    """fastText's ``get_sentence_vector`` over a :class:`morphvec.query.Space`: the mean of the
    tokens' unit vectors (a token without a row gets its n-gram vector; one without any vector,
    or a zero one, is left out, as fastText leaves it out), zero for a sentence with none."""

    def encode(texts: list[str]) -> np.ndarray:
        units: dict[str, np.ndarray | None] = {}  # each distinct token looked up once (an unknown one is costly)
        for token in {token for text in texts for token in text.split()}:
            vector = space.token_vector(space.unit.to_display(token))
            norm = float(np.linalg.norm(vector)) if vector is not None else 0.0
            units[token] = vector / norm if norm > 0 else None
        rows = np.zeros((len(texts), space.vectors.shape[1]), dtype=np.float32)
        for row, text in enumerate(texts):
            found = [unit for token in text.split() if (unit := units[token]) is not None]
            if found:
                rows[row] = np.mean(found, axis=0)
        return rows

    return encode
