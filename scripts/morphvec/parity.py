"""Parity: do fastText, gensim and the torch loader compute the same vectors?

For samples of in-vocabulary words, out-of-vocabulary words and documents, the maximum absolute
difference between the vectors that fastText (``get_word_vector``, ``get_sentence_vector``),
gensim (``wv.get_vector``, ``wv.get_sentence_vector``) and the torch loader compute, under
``<a>_vs_<b>.{in_vocab,oov,sentence}_max_abs_diff``.

Out-of-vocabulary words are words the model never saw, made from its own alphabet so that they
are Korean for a Korean corpus: half are two vocabulary words glued together, half random
strings of the vocabulary's characters; none is in the vocabulary.
"""

import random
from pathlib import Path

import numpy as np

from morphvec.corpus import sample_documents
from morphvec.formats import has_subwords
from morphvec.pages import drop_resident_pages
from morphvec.vectors import EOS

KINDS = ("in_vocab", "oov", "sentence")


def sample_in_vocab(vocab: list[str], n: int, rng: random.Random) -> list[str]:
    """Up to ``n`` vocabulary words (not the ``</s>`` line-break marker, which gensim and
    fastText treat differently: see :func:`morphvec.vectors.fasttext_word_vectors`)."""
    words = [w for w in vocab if w != EOS]
    return rng.sample(words, min(n, len(words)))


def make_oov_words(vocab: list[str], n: int, rng: random.Random) -> list[str]:
    """``n`` words that are not in ``vocab``, built from its words and characters."""
    known = set(vocab)
    words = [w for w in vocab if w != EOS]
    alphabet = sorted({c for w in words for c in w if not c.isspace()})
    found: dict[str, None] = {}
    attempts = 0
    while len(found) < n and attempts < 100 * n and words:
        attempts += 1
        if len(found) % 2 == 0:
            candidate = rng.choice(words) + rng.choice(words)
        else:
            candidate = "".join(rng.choice(alphabet) for _ in range(rng.randint(2, 5)))
        if candidate not in known:
            found[candidate] = None
    return list(found)


def library_vectors(
    open_fasttext, wv, open_torch, words, documents, open_static=None
) -> dict[str, dict[str, np.ndarray]]:
    """Word and sentence vectors from each library: ``{library: {kind: matrix}}``; with
    ``open_static`` (giving a :class:`morphvec.formats.StaticVectors`) the static export's
    sentence vectors too.

    ``open_fasttext()`` gives the fastText model, which is released as soon as its vectors are
    computed: fastText holds its whole matrix in memory, while the others read theirs
    memory-mapped, and the pages each map's reads made resident are dropped after its turn, so
    the step's peak is the largest of them, not their sum (the torch loader reads unknown words'
    n-gram rows from its file, not its map).  The torch export is opened
    (``open_torch()``, torch imported) only after fastText's turn: torch's 280 MB of libraries
    beside fastText's matrix made the report 1.7x the ``.bin`` (measured on full NSMC).
    """
    in_vocab, oov = words
    dim = wv.vector_size
    stack = lambda rows: np.stack(rows) if rows else np.zeros((0, dim), dtype=np.float32)  # noqa: E731
    # Without subwords an unknown word has no vector: fastText's is zero (and its sentence vector
    # skips it), gensim raises; so gensim is given each document's known words, its equivalent.
    known = set(wv.key_to_index)
    gensim_documents = documents if has_subwords(wv) else [[t for t in d if t in known] for d in documents]
    out: dict[str, dict[str, np.ndarray]] = {}
    if open_fasttext is not None:  # None: fastText cannot compute this model's subwords
        ft_model = open_fasttext()
        out["fasttext"] = {
            "in_vocab": stack([ft_model.get_word_vector(w) for w in in_vocab]),
            "oov": stack([ft_model.get_word_vector(w) for w in oov]),
            "sentence": stack([ft_model.get_sentence_vector(" ".join(d)) for d in documents]),
        }
        del ft_model
    out["gensim"] = {
        "in_vocab": stack([wv.get_vector(w) for w in in_vocab]),
        "oov": stack([wv.get_vector(w) for w in oov]),
        "sentence": stack([wv.get_sentence_vector(d) if d else np.zeros(dim, np.float32) for d in gensim_documents]),
    }
    drop_resident_pages(wv.vectors_ngrams)
    torch_embedding = open_torch()
    out["torch"] = {
        "in_vocab": torch_embedding.word_vectors(in_vocab).detach().numpy(),
        "oov": torch_embedding.word_vectors(oov).detach().numpy(),
        "sentence": torch_embedding.sentence_vectors(documents).detach().numpy(),
    }
    if open_static is not None:
        out["static"] = {"sentence": open_static().sentence_vectors(static_texts(documents, torch_embedding.jamo))}
    return out


def static_texts(documents: list[list[str]], jamo: bool) -> list[str]:
    """Documents as the static export is given text: tokens joined by spaces, in Hangul."""
    from morphvec.jamo import from_jamo

    return [from_jamo(" ".join(d)) if jamo else " ".join(d) for d in documents]


def static_coverage(static, documents: list[list[str]], fasttext_sentences: np.ndarray, jamo: bool) -> dict:
    """What the static table cannot see on the sampled documents, with its extension (the corpus'
    types below minCount, from their subword vectors) and without it (the vocabulary alone), and
    how far the sentence vectors of documents with unknown tokens are then from fastText's."""
    texts = static_texts(documents, jamo)
    ids = static.ids(texts)
    tokens = sum(len(i) for i in ids)
    result: dict = {"documents": len(texts), "tokens": tokens}
    for name, vocabulary_only in (("with_extension", False), ("without_extension", True)):
        unseen = [len(i) - len(static.known(i, vocabulary_only)) for i in ids]
        affected = [row for row, count in enumerate(unseen) if count]
        entry = {
            "unknown_token_share": round(sum(unseen) / tokens, 6) if tokens else 0.0,
            "documents_with_unknown": len(affected),
        }
        if affected:
            vectors = static.sentence_vectors([texts[row] for row in affected], vocabulary_only)
            reference = fasttext_sentences[affected].astype(np.float64)
            entry["max_abs_diff_on_those"] = _max_abs_diff(vectors, reference)
            norms = np.linalg.norm(vectors, axis=1) * np.linalg.norm(reference, axis=1)
            cosines = np.where(norms > 0, (vectors * reference).sum(axis=1) / np.maximum(norms, 1e-300), 0.0)
            entry["mean_cosine_on_those"] = round(float(cosines.mean()), 6)
        result[name] = entry
    return result


def _max_abs_diff(a: np.ndarray, b: np.ndarray) -> float:
    diff = np.abs(a.astype(np.float64) - b.astype(np.float64))
    if np.isnan(diff).any():
        return float("inf")
    return float(np.max(diff)) if diff.size else 0.0


def parity_table(vectors: dict[str, dict[str, np.ndarray]], tolerance: float) -> dict:
    """Every pair of libraries, every kind: the largest difference, and the verdict."""
    table: dict = {"tolerance": tolerance}
    worst = 0.0
    libraries = list(vectors)
    for i, a in enumerate(libraries):
        for b in libraries[i + 1 :]:
            kinds = [kind for kind in KINDS if kind in vectors[a] and kind in vectors[b]]
            row = {f"{kind}_max_abs_diff": _max_abs_diff(vectors[a][kind], vectors[b][kind]) for kind in kinds}
            worst = max(worst, *row.values())
            table[f"{a}_vs_{b}"] = row
    table["max_abs_diff"] = worst
    table["passed"] = bool(worst <= tolerance)
    return table


def check_parity(
    open_fasttext, wv, open_torch, tokens: str | Path, samples: int, tolerance: float, seed: int, open_static=None
) -> dict:
    """The parity table for seeded samples of words (known and unknown) and documents;
    ``open_fasttext()`` and ``open_torch()`` open those models when their turn comes (see
    :func:`library_vectors`); with ``open_static`` the static export's sentence vectors join the
    table (and ``static_export`` says what it cannot see: :func:`static_coverage`).
    ``open_fasttext`` None: a subword scheme fastText cannot compute, its columns not applicable."""
    rng = random.Random(seed)
    vocab = list(wv.index_to_key)
    in_vocab = sample_in_vocab(vocab, samples, rng)
    oov = make_oov_words(vocab, samples, rng)
    documents = sample_documents(tokens, samples, rng)
    if not has_subwords(wv):
        oov = []  # nothing to compare: no library has a vector for an unknown word
    vectors = library_vectors(open_fasttext, wv, open_torch, (in_vocab, oov), documents, open_static)
    for kind, sample in (("in_vocab", in_vocab), ("oov", oov), ("sentence", documents)):
        if not sample:  # nothing sampled: the table says "not applicable", not a difference of 0
            for library in vectors.values():
                library.pop(kind, None)
    parity = parity_table(vectors, tolerance)
    if open_static is not None:
        reference = vectors.get("fasttext", vectors["gensim"])["sentence"]
        parity["static_export"] = static_coverage(open_static(), documents, reference, open_torch().jamo)
    parity["samples"] = {"in_vocab": len(in_vocab), "oov": len(oov), "sentence": len(documents)}
    parity["oov_examples"] = oov[:10]
    parity["notes"] = [
        f"The end-of-sentence token {EOS} is left out of the in-vocabulary sample: gensim 4.4 adds "
        "character n-grams to it, fastText does not; the exported word vectors follow fastText."
    ]
    if open_fasttext is None:
        parity["notes"].append(
            f"fastText: not applicable. The model was trained with {getattr(wv, 'subwords', 'other')} subwords "
            "(gensim's trainer), which a fastText .bin cannot describe: fastText would compute its own "
            "character n-grams from it. gensim (morphvec's subclass) and torch compute the model's own."
        )
    if not has_subwords(wv):
        parity["notes"].append(
            "The model has no subwords (fasttext.maxn 0): an unknown word has no vector, so there are no "
            "out-of-vocabulary words to compare; fastText's sentence vectors skip unknown words (zero vectors), "
            "gensim, which raises on them, is given each document's known words."
        )
    return parity


def check_compact_parity(
    compact_embedding, reference, full_vocab: list[str], tokens, samples: int, tolerance: float, seed: int
) -> dict:
    """The torch loader against the numpy reference decoding of the same compact model, for
    kept words, words the pruning dropped, never-seen words and documents."""
    rng = random.Random(seed)
    kept = sample_in_vocab(reference.words, samples, rng)
    dropped = [w for w in full_vocab if w not in reference.index and w != EOS]
    oov = rng.sample(dropped, min(samples // 2, len(dropped))) + make_oov_words(full_vocab, samples // 2, rng)
    documents = sample_documents(tokens, samples, rng)
    vectors = {
        "reference": {
            "in_vocab": np.stack([reference.word_vector(w) for w in kept]),
            "oov": np.stack([reference.word_vector(w) for w in oov]),
            "sentence": np.stack([reference.sentence_vector(d) for d in documents]),
        },
        "torch": {
            "in_vocab": compact_embedding.word_vectors(kept).detach().numpy(),
            "oov": compact_embedding.word_vectors(oov).detach().numpy(),
            "sentence": compact_embedding.sentence_vectors(documents).detach().numpy(),
        },
    }
    table = parity_table(vectors, tolerance)
    table["samples"] = {"in_vocab": len(kept), "oov": len(oov), "sentence": len(documents)}
    return table
