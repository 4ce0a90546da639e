"""Figures for the report (matplotlib, Agg backend), each returned as PNG bytes.

Korean labels need a font with Hangul: ``koreanize_matplotlib`` registers NanumGothic (bundled,
SIL OFL) and makes it matplotlib's default, so every figure renders Korean words readably.
Point labels are spread with adjustText so that they do not overlap.
"""

import io

import numpy as np

# Figures are drawn at twice their size on the page (sharp on HiDPI screens); the page shows
# each at its size in inches x PAGE_DPI pixels (see ``shown_width``).
DPI = 200
PAGE_DPI = 100
# The length axis of the token-length histogram ends where this share of the tokens is reached.
LENGTHS_SHOWN = 0.999
# Ranks of the Zipf plot whose token is written beside the curve.
ZIPF_LABELS = (1, 10, 100, 1000, 10000)


def shown(token: str) -> str:
    """A token as a reader sees it on a figure: punctuation quoted, so that ',' and '.' read as tokens."""
    return token if any(ch.isalnum() for ch in token) else repr(token)


def shown_width(png: bytes) -> int:
    """The width in CSS pixels a figure is shown at: its pixel width at PAGE_DPI (a PNG header field)."""
    return int.from_bytes(png[16:20], "big") * PAGE_DPI // DPI


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import koreanize_matplotlib  # noqa: F401  (sets NanumGothic as the font family)
    import matplotlib.pyplot as plt

    plt.rcParams["axes.unicode_minus"] = False  # NanumGothic has no U+2212 minus sign
    return plt


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    _pyplot().close(fig)
    return buffer.getvalue()


def zipf_png(counts: list[tuple[str, int]], title: str) -> bytes:
    """Frequency against rank, log-log, with the tokens of a few ranks written beside the curve
    (in a white box, above and right of their point, so that the curve does not cross them)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 4))
    frequencies = [c for _, c in counts]
    ax.loglog(range(1, len(frequencies) + 1), frequencies, lw=1.5)
    for rank in ZIPF_LABELS:
        if rank <= len(counts):
            token, count = counts[rank - 1]
            ax.plot([rank], [count], "o", ms=3, color="tab:red")
            ax.annotate(
                f"{shown(token)} (rank {rank:,})",
                (rank, count),
                textcoords="offset points",
                xytext=(6, 4),
                fontsize=8,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
            )
    if frequencies:
        ax.set_xlim(0.7, len(frequencies) * 8)  # room for the labels on the right
        ax.set_ylim(0.7, frequencies[0] * 3)  # and above the rank-1 point
    ax.set(xlabel="rank", ylabel="frequency", title=f"Zipf plot: {title}")
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return _png(fig)


def token_length_png(histogram: dict[str, int], title: str) -> bytes:
    """Bars of token counts by length, up to the length that covers LENGTHS_SHOWN of the tokens
    (6 at least); the longer ones are counted in the axis label."""
    from matplotlib.ticker import MaxNLocator

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 4))
    lengths = sorted(int(k) for k in histogram)
    total = sum(histogram.values())
    covered, cut = 0, max(lengths, default=0)
    for length in lengths:
        covered += histogram[str(length)]
        if covered >= LENGTHS_SHOWN * total:
            cut = max(length, 6)
            break
    shown_lengths = [k for k in lengths if k <= cut]
    longer = sum(count for k, count in histogram.items() if int(k) > cut)
    ax.bar(shown_lengths, [histogram[str(k)] for k in shown_lengths])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(0.4, cut + 0.6)
    note = f"\n{longer:,} tokens ({100 * longer / total:.2f}%) longer than {cut} not shown" if longer else ""
    ax.set(xlabel=f"token length (characters){note}", ylabel="tokens", title=f"token lengths: {title}")
    fig.tight_layout()
    return _png(fig)


def similarity_scatter_png(
    name: str, scored_pairs: list, vocab: set[str], rho: float | None, rho_all: float | None
) -> bytes:
    """Human score against cosine for each pair, ρ on the figure, the legend below the axes."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 4.4))
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
    scores = [
        f"ρ {rho:.3f} in-vocabulary" if rho is not None else "",
        f"{rho_all:.3f} all pairs" if rho_all is not None else "",
    ]
    subtitle = ", ".join(text for text in scores if text)
    ax.set(
        xlabel="human score",
        ylabel="cosine similarity",
        title=f"word similarity: {name}" + (f"\n{subtitle}" if subtitle else ""),
    )
    ax.grid(alpha=0.3)
    if inside or outside:
        fig.legend(loc="lower center", ncol=1, fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.1 if inside and outside else 0.06, 1, 1))
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
    fig, ax = plt.subplots(figsize=(9, 7.5))
    ax.scatter(points[:, 0], points[:, 1], s=10, color="tab:blue")
    labels = [ax.text(x, y, shown(word), fontsize=9) for word, (x, y) in zip(words, points, strict=True)]
    # adjustText stops after one second of wall time unless given an iteration limit: then the
    # labels land where the machine's speed puts them, and a rerun draws a different figure.
    adjust_text(
        labels,
        x=points[:, 0],
        y=points[:, 1],
        ax=ax,
        iter_lim=ADJUST_TEXT_ITERATIONS,
        expand=(1.15, 1.35),  # room around each label, so that neighbours do not touch
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
    fig, ax = plt.subplots(figsize=(6, 4))
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
