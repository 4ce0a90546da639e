"""Word similarity: Spearman's ρ between a file's human scores and the model's cosines, per
protocol (in-vocabulary pairs; all pairs with subword vectors; all pairs with unknown words
composed from their morphemes), and the neighbours of probe words."""

import csv
import io
import math
from pathlib import Path

from morphvec.corpus import read_utf8
from morphvec.evaluation.statistics import cosine, spearman_interval
from morphvec.runtime import UserInputError, require_file


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
            model.append(cosine(space.get_vector(a, eojeol=eojeol), space.get_vector(b, eojeol=eojeol)))
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
