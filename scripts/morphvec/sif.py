"""The SIF flavour of the static export: smooth inverse frequency weights and the common
components taken out (Arora, Liang, Ma: *A Simple but Tough-to-Beat Baseline for Sentence
Embeddings*, ICLR 2017), baked into the table so that the plain mean the libraries compute is the
SIF sentence vector.

SIF's sentence vector is ``(I - U U^T) (1/|s|) sum_w a / (a + p(w)) v_w``: ``p(w)`` a token's share
of the corpus' tokens, ``a`` a small constant, ``U`` the first principal directions of such
vectors over many sentences.  Both steps are linear in the rows, so the table's row ``w`` becomes
``(I - U U^T) a / (a + p(w)) v_w`` and the mean of a text's rows is exactly its SIF vector: in
model2vec, in sentence-transformers, in any code that averages rows.  The directions come from a
sample of the corpus' own documents (never from an evaluation set), as model2vec fits its PCA on
its vocabulary.  Rows stay unit-free: a row's length is its weight, which is the point.
"""

from pathlib import Path

import numpy as np


def sif_weights(words: list[str], counts: dict[str, int], a: float) -> np.ndarray:
    """``a / (a + p(w))`` for every word (a word the corpus did not count: weight 1, the weight of
    the rarest)."""
    total = sum(counts.values()) or 1
    shares = np.array([counts.get(word, 0) / total for word in words], dtype=np.float64)
    return a / (a + shares)


def document_sample(tokens: str | Path, documents: int) -> list[list[str]]:
    """Every k-th non-empty document of a tokens file (one document per line), ``documents`` of
    them at most: spread over the whole corpus (a corpus file is often sorted by time or source),
    the same on every run; read twice as a stream, never whole."""
    if documents == 0:
        return []
    with open(tokens, encoding="utf-8") as handle:
        total = sum(1 for line in handle if line.strip())
    step, sample = max(1, total // documents), []
    with open(tokens, encoding="utf-8") as handle:
        for position, line in enumerate(line for line in handle if line.strip()):
            if position % step == 0:
                sample.append(line.split())
                if len(sample) == documents:
                    break
    return sample


def common_directions(table: np.ndarray, documents: list[list[int]], components: int) -> np.ndarray:
    """The first ``components`` right singular vectors of the documents' mean rows of ``table``
    (uncentred, as SIF takes them): ``(components, dim)``, empty for none or no document."""
    rows = [table[ids].mean(axis=0) for ids in documents if ids]
    if components == 0 or not rows:
        return np.zeros((0, table.shape[1]), dtype=np.float64)
    _, _, directions = np.linalg.svd(np.asarray(rows, dtype=np.float64), full_matrices=False)
    return directions[:components]


def sif_table(table: np.ndarray, weights: np.ndarray, directions: np.ndarray) -> np.ndarray:
    """Rows weighted, then without their components along ``directions`` (float32)."""
    weighted = table.astype(np.float64) * weights[:, None]
    return (weighted - (weighted @ directions.T) @ directions).astype(np.float32)
