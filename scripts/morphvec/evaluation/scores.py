"""Every evaluation of one set of vectors at once (:func:`evaluate`, what the report and the
summary read), the headline figures, and :func:`evaluate_vectors`, the evaluation CLI."""

from collections.abc import Sequence
from pathlib import Path

from morphvec.evaluation.analogies import (
    composed_candidates,
    eojeol_candidates,
    evaluate_analogies,
    evaluate_analogies_subword,
    read_analogy_questions,
)
from morphvec.evaluation.sentences import evaluate_sentences, read_sentence_pairs, space_encoder, tokens_unknown_share
from morphvec.evaluation.words import as_space, evaluate_similarity, nearest_neighbours, read_similarity_pairs
from morphvec.runtime import write_json
from morphvec.schema import SCHEMA_DEFAULT, configured


def evaluation_words(similarity: dict[str, str], analogy: dict[str, str]) -> dict[str, set[str]]:
    """The distinct words of each evaluation file."""
    words = {}
    for name, path in similarity.items():
        words[name] = {w for a, b, _ in read_similarity_pairs(path) for w in (a, b)}
    for name, path in analogy.items():
        words[name] = {w for _, question in read_analogy_questions(path) for w in question}
    return words


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
    sts: dict[str, str] = SCHEMA_DEFAULT,
    probe_words: list[str] = SCHEMA_DEFAULT,
    eojeol_min_count: int = SCHEMA_DEFAULT,
) -> dict:
    """Score any word vectors on word-similarity, analogy and sentence-similarity files (and list
    neighbours).

    ``vectors``: a fastText .bin, gensim .kv/.model, word2vec .txt/.bin, or a torch export
    directory; ``format`` one of auto, fasttext, gensim, word2vec, word2vec-binary, torch.  The
    scores are written to ``scores`` as JSON if given (and printed).  gensim files are pickles
    and are refused unless ``trust_pickle`` says they come from a trusted source.  ``tokenizer``
    (mecab or kiwi, the tokenizer the model's corpus was cut with) adds the eojeol protocol:
    words that are not tokens of the model are analysed into morphemes and composed, and the
    analogy answers are sought among the tokens and the corpus' eojeol seen at least
    ``eojeol_min_count`` times in ``eojeol_counts`` (the run's tokenize_corpus/eojeol_counts.tsv;
    without it, among the tokens alone).  Jamo and POS models are recognised from their
    vocabulary and queried in ordinary Hangul.  ``sts`` pair files are scored with the vectors'
    sentence vectors (``vectors_mean_raw``; with ``tokenizer`` also ``vectors_mean_analysed``)
    beside the model-free baseline (:mod:`morphvec.evaluation.sentences`).  Every ρ has its 95%
    bootstrap interval; the scores file also holds each pair's human score and cosine
    (``human_scores``, ``cosines_all_pairs_subword``; ``gold_scores`` and ``cosines`` for the
    sentence pairs), for comparing two models pair by pair (:func:`spearman_interval` with ``other``).
    """
    from morphvec.query import check_tokenizer, open_space

    check_tokenizer(tokenizer)
    eojeol_words = eojeol_candidates(eojeol_counts, eojeol_min_count) if tokenizer else []
    space = open_space(vectors, format, trust_pickle, tokenizer=tokenizer)
    result = evaluate(space, similarity, analogy, eojeol_words, eojeol_min_count)
    for scored in result["similarity"].values():
        scored.pop("scored_pairs", None)
    if sts:
        result["sentence_similarity"] = score_sentences(space, sts)
    if probe_words:
        result["neighbours"] = nearest_neighbours(space, probe_words)
    if scores is not None:
        write_json(scores, result)
    for scored in result["similarity"].values():  # kept in the scores file, not printed: one per pair
        scored.pop("human_scores", None)
        scored.pop("cosines_all_pairs_subword", None)
    for scored in result.get("sentence_similarity", {}).values():
        scored.pop("gold_scores")
        scored.pop("cosines")
    return result


def score_sentences(space, sts: dict[str, str]) -> dict:
    """Each sentence-pair file scored with one set of vectors (a :class:`morphvec.query.Space`):
    its sentence vectors on raw input, and on analysed input where the space has a tokenizer."""

    def known(token: str) -> bool:
        return space.lookup(space.unit.to_display(token)) is not None

    analyse = None
    if space.tokenizer is not None:
        tokenizer = space.tokenizer

        def analyse(sentence: str) -> list[str]:
            return [token for token, _ in tokenizer(sentence)]

    encoders = {"vectors_mean": space_encoder(space)}
    unknown = {"vectors_mean": lambda texts: tokens_unknown_share(texts, known)}
    return {
        name: evaluate_sentences(read_sentence_pairs(path), encoders, analyse, unknown) for name, path in sts.items()
    }


evaluate_vectors.option_help = {
    "vectors": "the vectors to score: a fastText .bin, a torch export directory, a word2vec file, a gensim file "
    "(with --trust-pickle)",
    "scores": "also write the scores to this JSON file",
    "eojeol_counts": "the run's tokenize_corpus/eojeol_counts.tsv (--run-dir gives it): the corpus' eojeol, "
    "candidates of the eojeol analogy protocol",
    "format": "the format of --vectors (auto: from the name and content)",
    "trust_pickle": "open gensim .kv/.model files, which are pickles (only files you made yourself)",
    "tokenizer": "the run's tokenizer (mecab or kiwi): adds the eojeol protocol, words that are not tokens cut "
    "into morphemes and composed, and the sentence pairs' analysed input",
}
