"""Analyses of a run for the report: the corpus profile, the sentiment probe, and what a compact
model keeps of the full one (cosines, and the cost of opening an export)."""

import collections
import json
import logging
import os
import random
from pathlib import Path

import numpy as np

from morphvec.corpus import reservoir_sample

log = logging.getLogger("morphvec.analyses")

_LIBRARY_ROOT = str(Path(__file__).resolve().parents[1])  # where `morphvec` is importable from


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


def _probe_classes(labels: list[str], negative_max: float, positive_min: float) -> tuple[np.ndarray, np.ndarray, str]:
    """The documents kept and their classes: numeric labels by the rating rule, others as named.

    Labels that are all numbers (NSMC's 1-10 ratings) become negative/positive by the rule; labels
    none of which is a number ("pos", "neg", ...) are the classes themselves.  A mix means a
    broken column and raises ValueError naming the first label that is not a number.
    """
    numeric = []
    for label in labels:
        try:
            numeric.append(float(label))
        except ValueError:
            numeric.append(None)
    if all(value is not None for value in numeric):
        ratings = np.array(numeric)
        keep = (ratings <= negative_max) | (ratings >= positive_min)
        rule = f"negative: label <= {negative_max:g}, positive: label >= {positive_min:g}; others left out"
        return keep, (ratings[keep] >= positive_min).astype(int), rule
    if any(value is not None for value in numeric):
        text = next(label for label, value in zip(labels, numeric, strict=True) if value is None)
        numbers = sum(value is not None for value in numeric)
        raise ValueError(f"the label column mixes numbers ({numbers:,}) with other values such as {text!r}")
    names = sorted(set(labels))
    classes = np.array([names.index(label) for label in labels])
    return np.ones(len(labels), dtype=bool), classes, f"classes are the label values ({', '.join(names[:10])})"


def sentiment_probe(
    sentence_vectors: np.ndarray,
    labels: list[str],
    negative_max: float,
    positive_min: float,
    test_share: float,
    seed: int,
) -> dict:
    """Logistic regression on sentence vectors: rating <= negative_max vs >= positive_min.

    Non-numeric labels are classes as they stand (see :func:`_probe_classes`).  Fixed, seeded,
    stratified train/test split; accuracy against the majority-class baseline.  When the probe
    cannot run, the result is ``{"skipped": reason}`` (shown in the report), never a silent gap.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    try:
        keep, y, rule = _probe_classes(labels, negative_max, positive_min)
    except ValueError as error:
        log.warning("sentiment probe skipped: %s", error)
        return {"skipped": f"{error}; check corpus.label_column"}
    counts = np.bincount(y) if len(y) else np.array([])
    if np.count_nonzero(counts) < 2 or counts[counts > 0].min() < 5:
        reason = f"needs two classes of at least 5 documents each; the labels give {counts[counts > 0].tolist()}"
        log.warning("sentiment probe skipped: %s", reason)
        return {"skipped": reason}
    x = sentence_vectors[keep]
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=test_share, random_state=seed, stratify=y)
    model = LogisticRegression(max_iter=2000).fit(x_train, y_train)
    majority = int(np.bincount(y_train).argmax())
    return {
        "documents": int(keep.sum()),
        "train": len(y_train),
        "test": len(y_test),
        "positive_share": round(float(y.mean()), 6) if rule.startswith("negative") else None,
        "accuracy": round(float(model.score(x_test, y_test)), 6),
        "majority_baseline": round(float(np.mean(y_test == majority)), 6),
        "rule": rule,
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


# --- compact models against the full one ----------------------------------------------------


def cosine_to_full(compact_embedding, full_embedding, words: list[str]) -> float | None:
    """Mean cosine between the compact and the full model's vectors of ``words``."""
    if not words:
        return None
    a = compact_embedding.word_vectors(words).detach().numpy().astype(np.float64)
    b = full_embedding.word_vectors(words).detach().numpy().astype(np.float64)
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    cosines = np.where(norms > 0, (a * b).sum(axis=1) / np.maximum(norms, 1e-300), 0.0)
    return round(float(cosines.mean()), 6)


def open_cost(directory: str | Path, repeats: int = 3) -> dict:
    """Seconds to open an export with its own loader and look up one word, and the peak memory
    it adds, each in a fresh interpreter (median of ``repeats``).  These are times: they go to
    timing files (the summary), never into a run's artefacts."""
    import subprocess
    import sys

    runs = []
    for _ in range(repeats):
        done = subprocess.run(
            [sys.executable, "-m", "morphvec.open_probe", str(Path(directory))],
            capture_output=True,
            text=True,
            check=True,
            env={
                **os.environ,
                "PYTHONPATH": os.pathsep.join(filter(None, [_LIBRARY_ROOT, os.environ.get("PYTHONPATH")])),
            },
        )
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {key: float(np.median([run[key] for run in runs])) for key in runs[0]}
