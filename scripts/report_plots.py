"""Figures and corpus-level analyses for the per-run report (matplotlib, Agg backend).

Korean labels need a font with Hangul: ``koreanize_matplotlib`` registers NanumGothic (bundled,
SIL OFL) and makes it matplotlib's default, so every figure renders Korean words readably.
"""

import collections
import io
from pathlib import Path

import numpy as np


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import koreanize_matplotlib  # noqa: F401  (sets NanumGothic as the font family)
    import matplotlib.pyplot as plt

    plt.rcParams["axes.unicode_minus"] = False  # NanumGothic has no U+2212 minus sign
    return plt


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    _pyplot().close(fig)
    return buffer.getvalue()


def read_token_counts(path: str | Path) -> list[tuple[str, int]]:
    """``(token, count)`` pairs of a ``token_counts.tsv``, most frequent first."""
    pairs = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            token, count = line.rstrip("\n").rsplit("\t", 1)
            pairs.append((token, int(count)))
    return pairs


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


def zipf_png(counts: list[tuple[str, int]], title: str) -> bytes:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 4), dpi=100)
    frequencies = [c for _, c in counts]
    ax.loglog(range(1, len(frequencies) + 1), frequencies, lw=1.5)
    for rank in (1, 2, 3, 10, 100):
        if rank <= len(counts):
            ax.annotate(counts[rank - 1][0], (rank, counts[rank - 1][1]), fontsize=8)
    ax.set(xlabel="rank", ylabel="frequency", title=f"Zipf plot: {title}")
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return _png(fig)


def token_length_png(histogram: dict[str, int], title: str) -> bytes:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 4), dpi=100)
    lengths = [int(k) for k in histogram][:20]
    ax.bar(lengths, [histogram[str(k)] for k in lengths])
    ax.set(xlabel="token length (characters)", ylabel="tokens", title=f"token lengths: {title}")
    fig.tight_layout()
    return _png(fig)


def similarity_scatter_png(name: str, scored_pairs: list, vocab: set[str]) -> bytes:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 4), dpi=100)
    inside = [(g, c) for a, b, g, c in scored_pairs if a in vocab and b in vocab]
    outside = [(g, c) for a, b, g, c in scored_pairs if not (a in vocab and b in vocab)]
    if outside:
        ax.scatter(*zip(*outside, strict=True), s=10, alpha=0.5, color="tab:orange", label="≥1 word OOV (subword)")
    if inside:
        ax.scatter(*zip(*inside, strict=True), s=12, alpha=0.8, color="tab:blue", label="both words in vocabulary")
    ax.set(xlabel="human score", ylabel="cosine similarity", title=f"word similarity: {name}")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return _png(fig)


def pca_png(words: list[str], vectors: np.ndarray, title: str) -> bytes:
    """2-D PCA of ``vectors`` with every point labelled by its word."""
    plt = _pyplot()
    centred = vectors - vectors.mean(axis=0)
    _, singular, components = np.linalg.svd(centred, full_matrices=False)
    points = centred @ components[:2].T
    explained = (singular[:2] ** 2 / max(float((singular**2).sum()), 1e-12)).round(3)
    fig, ax = plt.subplots(figsize=(7, 6), dpi=100)
    ax.scatter(points[:, 0], points[:, 1], s=10, color="tab:blue")
    for word, (x, y) in zip(words, points, strict=True):
        ax.annotate(word, (x, y), fontsize=9, xytext=(2, 2), textcoords="offset points")
    ax.set(
        xlabel=f"PC1 ({100 * explained[0]:.0f}% of variance)",
        ylabel=f"PC2 ({100 * explained[1]:.0f}% of variance)",
        title=title,
    )
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return _png(fig)


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
