"""Analyses of a run for the report: the corpus profile, content words, the sentiment probe."""

import collections
import logging
import random
from pathlib import Path

import numpy as np

from morphvec.corpus import reservoir_sample

log = logging.getLogger("morphvec.analyses")

# MeCab-ko (Sejong) tags of content words: nouns, verbs, adjectives, adverbs, roots, foreign words.
CONTENT_TAGS = ("NNG", "NNP", "VV", "VA", "MAG", "XR", "SL")


def corpus_profile(counts: list[tuple[str, int]]) -> dict:
    """Token-length distribution (in characters, over all tokens) and Zipf statistics."""
    total = sum(c for _, c in counts)
    lengths: collections.Counter = collections.Counter()
    for token, count in counts:
        lengths[len(token)] += count
    frequencies = np.array([c for _, c in counts], dtype=np.float64)
    slope = None
    if len(frequencies) >= 10:
        ranks = np.arange(1, len(frequencies) + 1)
        top = slice(0, min(len(frequencies), 10000))  # fit the head, where the law holds
        slope = float(np.polyfit(np.log(ranks[top]), np.log(frequencies[top]), 1)[0])
    return {
        "tokens": total,
        "types": len(counts),
        "hapax_share_of_types": round(sum(1 for _, c in counts if c == 1) / len(counts), 6) if counts else 0.0,
        "mean_token_length": round(sum(k * v for k, v in lengths.items()) / total, 4) if total else 0.0,
        "token_length_histogram": {str(k): lengths[k] for k in sorted(lengths)},
        "zipf_slope": round(slope, 4) if slope is not None else None,
    }


def is_word_like(token: str) -> bool:
    """True for tokens with a letter or digit (not punctuation-only)."""
    return any(c.isalnum() for c in token)


def sentiment_probe(
    sentence_vectors: np.ndarray,
    labels: list[str],
    negative_max: float,
    positive_min: float,
    test_share: float,
    seed: int,
) -> dict | None:
    """Logistic regression on sentence vectors: rating <= negative_max vs >= positive_min.

    Fixed, seeded, stratified train/test split; accuracy against the majority-class baseline.
    Returns None when the labels are not numeric or one class is missing.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    try:
        ratings = np.array([float(label) for label in labels])
    except ValueError:
        return None
    keep = (ratings <= negative_max) | (ratings >= positive_min)
    x, y = sentence_vectors[keep], (ratings[keep] >= positive_min).astype(int)
    if len(set(y.tolist())) < 2 or min(np.bincount(y)) < 5:
        return None
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=test_share, random_state=seed, stratify=y)
    model = LogisticRegression(max_iter=2000).fit(x_train, y_train)
    majority = int(np.bincount(y_train).argmax())
    return {
        "documents": int(keep.sum()),
        "train": len(y_train),
        "test": len(y_test),
        "positive_share": round(float(y.mean()), 6),
        "accuracy": round(float(model.score(x_test, y_test)), 6),
        "majority_baseline": round(float(np.mean(y_test == majority)), 6),
        "rule": f"negative: label <= {negative_max:g}, positive: label >= {positive_min:g}; others left out",
    }


def probe_documents(tokens: str | Path, labels: str | Path, limit: int, seed: int) -> tuple[list[str], list[str]]:
    """Up to ``limit`` (document, label) pairs, a seeded uniform sample; none if the files differ
    in length (labels that do not line up with the documents must not be used)."""
    with open(tokens, encoding="utf-8") as documents, open(labels, encoding="utf-8") as document_labels:
        try:
            sample = reservoir_sample(zip(documents, document_labels, strict=True), limit, random.Random(seed))
        except ValueError:
            log.warning("%s and %s differ in length: no sentiment probe", tokens, labels)
            return [], []
    return [doc.rstrip("\n") for doc, _ in sample], [label.strip() for _, label in sample]


def content_words(words: list[str], tokenizer: str) -> set[str]:
    """The words that carry content: for MeCab morphemes, those MeCab tags as a noun, verb,
    adjective, adverb, root or foreign word when analysed alone; otherwise every token with a
    letter or digit."""
    if tokenizer != "mecab":
        return {word for word in words if is_word_like(word)}
    from mecab import MeCab

    mecab = MeCab()
    kept = set()
    for word in words:
        analysis = mecab.pos(word) if is_word_like(word) else []
        if len(analysis) == 1 and analysis[0][1].split("+")[0] in CONTENT_TAGS:
            kept.add(word)
    return kept
