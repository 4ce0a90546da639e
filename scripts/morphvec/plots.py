"""Figures for the report (matplotlib, Agg backend), each returned as PNG bytes.

Korean labels need a font with Hangul: ``koreanize_matplotlib`` registers NanumGothic (bundled,
SIL OFL) and makes it matplotlib's default, so every figure renders Korean words readably.
Point labels are spread with adjustText so that they do not overlap.
"""

import io

import numpy as np

# Token lengths beyond this are summed into the last bar's note (the long tail is rare).
MAX_PLOTTED_LENGTH = 20


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
    """Bars of token counts by length, 1 to ``MAX_PLOTTED_LENGTH`` characters; the rest is stated."""
    from matplotlib.ticker import MaxNLocator

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 4), dpi=100)
    lengths = [int(k) for k in histogram if int(k) <= MAX_PLOTTED_LENGTH]
    longer = sum(count for k, count in histogram.items() if int(k) > MAX_PLOTTED_LENGTH)
    ax.bar(lengths, [histogram[str(k)] for k in lengths])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    note = f"; {longer:,} tokens longer than {MAX_PLOTTED_LENGTH} not shown" if longer else ""
    ax.set(xlabel=f"token length (characters){note}", ylabel="tokens", title=f"token lengths: {title}")
    fig.tight_layout()
    return _png(fig)


def similarity_scatter_png(name: str, scored_pairs: list, vocab: set[str]) -> bytes:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 4), dpi=100)
    inside = [(g, c) for a, b, g, c in scored_pairs if a in vocab and b in vocab]
    outside = [(g, c) for a, b, g, c in scored_pairs if not (a in vocab and b in vocab)]
    if outside:
        ax.scatter(
            *zip(*outside, strict=True),
            s=10,
            alpha=0.5,
            color="tab:orange",
            label="a word out of vocabulary (subword vector)",
        )
    if inside:
        ax.scatter(*zip(*inside, strict=True), s=12, alpha=0.8, color="tab:blue", label="both words in vocabulary")
    ax.set(xlabel="human score", ylabel="cosine similarity", title=f"word similarity: {name}")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return _png(fig)


# adjustText moves labels until none overlap; with 50 labels a few always touch, so it runs to
# the limit.  Beyond 100 rounds the labels barely move (on the full NSMC model's top 50 words,
# 2,300 of 420,000 pixels differ between 100 and 300 rounds; none on the 50k slice's) while each
# round costs the same: 300 rounds were a quarter of the report step's work.
ADJUST_TEXT_ITERATIONS = 100


def pca_png(words: list[str], vectors: np.ndarray, title: str) -> bytes:
    """2-D PCA of ``vectors`` with every point labelled by its word (labels spread apart)."""
    from adjustText import adjust_text

    plt = _pyplot()
    centred = vectors - vectors.mean(axis=0)
    _, singular, components = np.linalg.svd(centred, full_matrices=False)
    points = centred @ components[:2].T
    explained = (singular[:2] ** 2 / max(float((singular**2).sum()), 1e-12)).round(3)
    fig, ax = plt.subplots(figsize=(7, 6), dpi=100)
    ax.scatter(points[:, 0], points[:, 1], s=10, color="tab:blue")
    labels = [ax.text(x, y, word, fontsize=9) for word, (x, y) in zip(words, points, strict=True)]
    # adjustText stops after one second of wall time unless given an iteration limit: then the
    # labels land where the machine's speed puts them, and a rerun draws a different figure.
    adjust_text(
        labels,
        x=points[:, 0],
        y=points[:, 1],
        ax=ax,
        iter_lim=ADJUST_TEXT_ITERATIONS,
        arrowprops={"arrowstyle": "-", "color": "0.6", "lw": 0.5},
    )
    ax.set(
        xlabel=f"PC1 ({100 * explained[0]:.0f}% of variance)",
        ylabel=f"PC2 ({100 * explained[1]:.0f}% of variance)",
        title=title,
    )
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return _png(fig)


def compression_png(points: list[tuple[str, int, float | None]]) -> bytes:
    """Size (log scale) against word-similarity ρ: the full model and each compact one."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    for name, size, rho in points:
        if rho is None:
            continue
        ax.scatter([size / 1e6], [rho], s=30, color="tab:red" if name == "full" else "tab:blue")
        ax.annotate(name, (size / 1e6, rho), textcoords="offset points", xytext=(4, 4), fontsize=8)
    ax.set_xscale("log")
    ax.set(xlabel="export size (MB, log scale)", ylabel="similarity ρ, all pairs", title="size against quality")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return _png(fig)
