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
out-of-vocabulary words built from their character n-grams.

Analogy files: the ``questions-words.txt`` format (``: section`` lines, then ``a b c d``),
scored with gensim's ``evaluate_word_analogies`` (3CosAdd over the vocabulary, query words
excluded, questions with an unknown word skipped; ``coverage`` = questions scored / all), and
for vectors with subwords also with the OOV-aware protocol of :func:`evaluate_analogies_subword`.
One parser per file kind: :func:`read_similarity_pairs`, :func:`read_analogy_questions`.
"""

import csv
import functools
import io
import logging
import math
from pathlib import Path

import numpy as np

from morphvec.corpus import read_utf8
from morphvec.runtime import UserInputError, require_file, write_json
from morphvec.schema import SCHEMA_DEFAULT, configured
from morphvec.vectors import read_word2vec

log = logging.getLogger("morphvec.evaluate")

# gensim's default for evaluate_word_analogies: answers among the 300,000 most frequent words.
RESTRICT_VOCAB = 300000
FASTTEXT_MAGIC = 793712314  # first int32 of a fastText .bin
VECTOR_FORMATS = ("auto", "fasttext", "gensim", "word2vec", "word2vec-binary", "torch")


# --- loading any vectors -------------------------------------------------------------------


def detect_vectors_format(path: str | Path) -> str:
    path = Path(path)
    if path.is_dir():
        return "torch"
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".kv", ".model")):
        return "gensim"
    if name.endswith(".safetensors"):
        return "torch"
    if name.endswith(".bin"):
        with open(path, "rb") as handle:
            head = handle.read(4)
        if len(head) == 4 and int.from_bytes(head, "little") == FASTTEXT_MAGIC:
            return "fasttext"
        return "word2vec-binary"
    return "word2vec"


class TorchVectors:
    """Adapter giving a torch export the small KeyedVectors surface the evaluation needs."""

    def __init__(self, path: str | Path) -> None:
        from morphvec.fasttext_torch import FastTextEmbedding

        self.embedding = FastTextEmbedding.load(path)
        self.key_to_index = self.embedding.key_to_index
        self.index_to_key = self.embedding.vocab
        self.vectors = self.embedding.embedding.weight.detach().numpy()
        self.has_subwords = True

    def get_vector(self, word: str) -> np.ndarray:
        return self.embedding.word_vectors([word])[0].detach().numpy()

    @functools.cache  # noqa: B019 (one adapter per loaded export; it lives as long as the vectors)
    def keyed_vectors(self):
        """The vocabulary's vectors as gensim KeyedVectors (for gensim's analogy protocol)."""
        from gensim.models import KeyedVectors

        kv = KeyedVectors(self.vectors.shape[1], dtype=np.float32)
        kv.add_vectors(self.index_to_key, self.vectors)
        return kv

    def most_similar(self, word: str, topn: int = 10) -> list[tuple[str, float]]:
        """gensim's ``most_similar``; an unknown word is queried with its subword vector."""
        kv = self.keyed_vectors()
        if word in self.key_to_index:
            return kv.most_similar(word, topn=topn)
        return kv.most_similar(positive=[self.get_vector(word)], topn=topn)


def load_vectors(path: str | Path, fmt: str = "auto", trust_pickle: bool = False):
    """Load vectors as a gensim KeyedVectors (or, for torch exports, an adapter).

    gensim's ``.kv``/``.model`` files are pickles, and unpickling a crafted file runs its code:
    they are opened only with ``trust_pickle``.  Every other format is read without pickle.
    """
    path = Path(path)
    if not path.exists():
        raise UserInputError(f"vectors not found: {path}", "give a .bin, .kv, .model, .txt or export directory")
    fmt = detect_vectors_format(path) if fmt == "auto" else fmt
    from gensim.utils import SaveLoad

    if fmt == "fasttext":
        from gensim.models.fasttext import load_facebook_vectors

        return load_facebook_vectors(str(path))
    if fmt == "gensim":
        if not trust_pickle:
            raise UserInputError(
                f"{path} is a gensim pickle, and loading a pickle runs whatever code it carries",
                "pass --trust-pickle if you made the file yourself, or give a pickle-free format: the fastText "
                ".bin, a word2vec file (extract_vectors writes both flavours) or a torch export directory",
            )
        loaded = SaveLoad.load(str(path), mmap="r")
        return loaded.wv if hasattr(loaded, "wv") else loaded
    if fmt in ("word2vec", "word2vec-binary"):
        return read_word2vec(path, what="vectors file")
    if fmt == "torch":
        return TorchVectors(path)
    raise UserInputError(f"unknown vectors format {fmt!r}", f"use one of {VECTOR_FORMATS}")


def has_subwords(kv) -> bool:
    return bool(getattr(kv, "has_subwords", False) or getattr(kv, "bucket", 0))


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


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    denominator = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.dot(a, b) / denominator) if denominator > 0 else 0.0


def evaluate_similarity(kv, pairs: list[tuple[str, str, float]]) -> dict:
    """Spearman (and Pearson) between human scores and cosine similarities."""
    from scipy.stats import pearsonr, spearmanr

    def score(use_subwords: bool):
        human, model, used = [], [], []
        for a, b, gold in pairs:
            if not use_subwords and (a not in kv.key_to_index or b not in kv.key_to_index):
                continue
            human.append(gold)
            model.append(_cosine(kv.get_vector(a), kv.get_vector(b)))
            used.append((a, b, gold, model[-1]))
        if len(human) < 3:
            return None, None, used
        rho = spearmanr(human, model).statistic
        r = pearsonr(human, model).statistic
        return (None if math.isnan(rho) else float(rho)), (None if math.isnan(r) else float(r)), used

    rho, r, used = score(False)
    result = {
        "pairs": len(pairs),
        "pairs_in_vocab": len(used),
        "coverage": round(len(used) / len(pairs), 6) if pairs else 0.0,
        "spearman": rho,
        "pearson": r,
    }
    if has_subwords(kv):
        rho_all, _, used_all = score(True)
        result["spearman_all_pairs_subword"] = rho_all
        result["scored_pairs"] = [list(p) for p in used_all]
    else:
        result["scored_pairs"] = [list(p) for p in used]
    return result


# --- analogies -----------------------------------------------------------------------------


def evaluate_analogies(kv, path: str | Path, restrict_vocab: int = RESTRICT_VOCAB) -> dict:
    """gensim's ``evaluate_word_analogies`` with the share of questions it could score."""
    total = len(read_analogy_questions(path))
    if not hasattr(kv, "evaluate_word_analogies"):
        kv = kv.keyed_vectors()  # a torch export: its vocabulary's vectors
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
    return {
        "questions": total,
        "scored": scored,
        "coverage": round(scored / total, 6),
        "accuracy": round(float(accuracy), 6) if scored else None,
        "sections": per_section,
        "candidates": min(restrict_vocab, len(kv.index_to_key)),
    }


def read_analogy_questions(path: str | Path) -> list[tuple[str, list[str]]]:
    """``(section, [a, b, c, d])`` for every question of a ``questions-words`` file."""
    path = require_file(path, "analogy file", "check the evaluation.analogy paths in the config")
    questions, section = [], ""
    for number, line in enumerate(read_utf8(path).splitlines(), start=1):
        if line.startswith(":"):
            section = line[1:].strip()
        elif line.strip():
            words = line.split()
            if len(words) != 4:
                raise UserInputError(
                    f"{path}: line {number}: an analogy question needs 4 words, got {len(words)}",
                    "write 'a b c d' (a is to b as c is to d), or ': section' lines",
                )
            questions.append((section, words))
    if not questions:
        raise UserInputError(f"{path}: no questions found", "expected ': section' lines and 'a b c d' question lines")
    return questions


def evaluate_analogies_subword(kv, path: str | Path, restrict_vocab: int = RESTRICT_VOCAB, batch: int = 512) -> dict:
    """Analogies with subword vectors for the query words (OOV-aware protocol).

    3CosAdd like gensim: the answer is the vocabulary word (among the ``restrict_vocab`` most
    frequent) closest to ``b - a + c`` of unit vectors, ``a``, ``b`` and ``c`` excluded; but
    ``a``, ``b`` and ``c`` may be out of the vocabulary and get their character n-gram vectors.
    A question is scored when its expected answer ``d`` is in the candidate vocabulary.  Like
    gensim's default, words match the vocabulary case-insensitively (the most frequent form wins).
    """
    candidates = kv.index_to_key[:restrict_vocab]
    vocabulary_form = {word.upper(): word for word in reversed(candidates)}
    questions = [
        (section, [vocabulary_form.get(word.upper(), word) for word in words])
        for section, words in read_analogy_questions(path)
    ]
    position = {word: i for i, word in enumerate(candidates)}
    matrix = np.asarray(kv.vectors[: len(candidates)], dtype=np.float32)
    matrix = matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    cache: dict[str, np.ndarray] = {}

    def unit(word: str) -> np.ndarray:
        if word not in cache:
            vector = np.asarray(kv.get_vector(word), dtype=np.float32)
            cache[word] = vector / max(float(np.linalg.norm(vector)), 1e-12)
        return cache[word]

    scorable = [(section, words) for section, words in questions if words[3] in position]
    per_section: dict[str, list[int]] = {}
    correct_total = 0
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
            hit = int(guesses[row] == position[d])
            correct_total += hit
            counts = per_section.setdefault(section, [0, 0])
            counts[0] += hit
            counts[1] += 1
    return {
        "questions": len(questions),
        "scored": len(scorable),
        "coverage": round(len(scorable) / len(questions), 6) if questions else 0.0,
        "accuracy": round(correct_total / len(scorable), 6) if scorable else None,
        "sections": {
            name: {"correct": c, "scored": n, "accuracy": round(c / n, 6)} for name, (c, n) in per_section.items()
        },
        "protocol": "3CosAdd over the vocabulary, query words excluded, subword vectors for unknown query words",
        "candidates": len(candidates),
    }


def evaluation_words(similarity: dict[str, str], analogy: dict[str, str]) -> dict[str, set[str]]:
    """The distinct words of each evaluation file."""
    words = {}
    for name, path in similarity.items():
        words[name] = {w for a, b, _ in read_similarity_pairs(path) for w in (a, b)}
    for name, path in analogy.items():
        words[name] = {w for _, question in read_analogy_questions(path) for w in question}
    return words


# --- neighbours ----------------------------------------------------------------------------


def nearest_neighbours(kv, words: list[str], topn: int = 10) -> dict:
    """``most_similar`` for each probe word (subword vectors for unknown words if available)."""
    result = {}
    for word in words:
        if word not in kv.key_to_index and not has_subwords(kv):
            result[word] = None
            continue
        try:
            result[word] = [[other, round(float(sim), 4)] for other, sim in kv.most_similar(word, topn=topn)]
        except KeyError:
            result[word] = None
    return result


def evaluate(kv, similarity: dict[str, str], analogy: dict[str, str]) -> dict:
    """Similarity and analogy scores, plus how much of each file's vocabulary the model knows.

    Analogies are scored with gensim's protocol and, for vectors with subwords, the
    OOV-aware one (``analogy_subword``).
    """
    out: dict = {"similarity": {}, "analogy": {}, "analogy_subword": {}, "vocabulary_coverage": {}}
    for name, path in similarity.items():
        out["similarity"][name] = evaluate_similarity(kv, read_similarity_pairs(path))
    for name, path in analogy.items():
        out["analogy"][name] = evaluate_analogies(kv, path)
        if has_subwords(kv):
            out["analogy_subword"][name] = evaluate_analogies_subword(kv, path)
    for name, words in evaluation_words(similarity, analogy).items():
        known = sum(1 for w in words if w in kv.key_to_index)
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
    *,
    format: str = "auto",
    trust_pickle: bool = False,
    similarity: dict[str, str] = SCHEMA_DEFAULT,
    analogy: dict[str, str] = SCHEMA_DEFAULT,
    probe_words: list[str] = SCHEMA_DEFAULT,
) -> dict:
    """Score any word vectors on word-similarity and analogy files (and list neighbours).

    ``vectors``: a fastText .bin, gensim .kv/.model, word2vec .txt/.bin, or a torch export
    directory; ``format`` one of auto, fasttext, gensim, word2vec, word2vec-binary, torch.  The
    scores are written to ``scores`` as JSON if given (and printed).  gensim files are pickles
    and are refused unless ``trust_pickle`` says they come from a trusted source.
    """
    kv = load_vectors(vectors, format, trust_pickle)
    result = evaluate(kv, similarity, analogy)
    for scored in result["similarity"].values():
        scored.pop("scored_pairs", None)
    if probe_words:
        result["neighbours"] = nearest_neighbours(kv, probe_words)
    if scores is not None:
        write_json(scores, result)
    return result
