"""The PyTorch export: safetensors weights, the vocabulary and the torch-only loader.

Every export morphvec writes is written here: the full torch export (:func:`export_torch`) and
the compact one (:func:`write_compact_export`, built by :mod:`morphvec.compress`).  A new export
format is a function here, its files in :mod:`morphvec.layout`, its reader in
:mod:`morphvec.formats` and a rule in the Snakefile; the loader that reads both is
:mod:`morphvec.fasttext_torch`, copied beside the weights.
"""

import json
import logging
import shutil
from pathlib import Path

import numpy as np

from morphvec.fasttext_torch import COMPACT_FORMAT, FORMAT
from morphvec.formats import read_matrix, read_vocab_tsv
from morphvec.raw_text import PIECE_PREFIX, flavour_tokenizer
from morphvec.runtime import UserInputError, atomic_dir, atomic_open, atomic_path, read_json, require_file, write_json
from morphvec.schema import SCHEMA_DEFAULT, configured

log = logging.getLogger("morphvec.export_torch")

LOADER = Path(__file__).with_name("fasttext_torch.py")


def sort_safetensors_metadata(path: str | Path) -> None:
    """Rewrite a safetensors header with its ``__metadata__`` keys sorted, in place.

    safetensors keeps the metadata in a Rust ``HashMap`` and writes it in a random order per
    process (safetensors/safetensors#584; the fix, PR #790, is not released), so two identical
    exports differ byte for byte.  The sorted header has the same length, so the 8-byte size
    prefix and every tensor offset stay as they are.
    """
    with open(path, "r+b") as handle:
        size = int.from_bytes(handle.read(8), "little")
        header = json.loads(handle.read(size))
        metadata = header.pop("__metadata__", None)
        ordered = ({"__metadata__": dict(sorted(metadata.items()))} if metadata else {}) | header
        text = json.dumps(ordered, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        if len(text) > size:  # a different escaping than serde_json's: leave the file as written
            log.warning("%s: safetensors header not canonicalised (%d > %d bytes)", path, len(text), size)
            return
        handle.seek(8)
        handle.write(text.ljust(size, b" "))


def export_torch(
    word_vectors: str | Path,
    ngram_vectors: str | Path,
    vocab: str | Path,
    ngram_settings: str | Path,
    torch_weights: str | Path,
    torch_vocab: str | Path,
    torch_loader: str | Path | None = None,
    output_vectors: str | Path | None = None,
) -> dict:
    """Export fastText word and n-gram vectors for PyTorch, in safetensors (no pickle).

    Writes ``torch_weights`` -- ``word_vectors`` (the ``nn.Embedding.from_pretrained`` weights,
    row ``i`` = vocabulary id ``i``) and ``ngram_vectors`` (the hashed character n-gram matrix),
    with the n-gram settings in the file's metadata, and ``output_vectors`` (the ``syn1neg`` rows,
    one per word, for IN-OUT queries) when given; ``torch_vocab``, one word per line in id
    order; and ``torch_loader``, a copy of the torch-only loader, so the directory is
    self-contained.
    """
    vocab_tsv, settings_json = vocab, ngram_settings
    weights_out, vocab_out, loader_out = torch_weights, torch_vocab, torch_loader
    import torch
    from safetensors.torch import save_file

    words = read_vocab_tsv(require_file(vocab_tsv, "vocabulary", "run the extract_vectors step first"))
    settings = read_json(require_file(settings_json, "n-gram settings", "run the extract_vectors step first"))
    word_matrix = read_matrix(word_vectors, "word vectors")
    ngram_matrix = read_matrix(ngram_vectors, "n-gram vectors")
    if word_matrix.shape[0] != len(words):
        raise UserInputError(
            f"{word_vectors} has {word_matrix.shape[0]} rows but {vocab_tsv} {len(words)} words",
            "rerun extract_vectors",
        )
    bad = [w for w in words if not w or any(c.isspace() for c in w)]
    if bad:
        raise UserInputError(
            f"{vocab_tsv}: vocabulary entries with whitespace cannot go to vocab.txt: {bad[:5]}",
            "tokenize so that no token holds whitespace",
        )

    tensors = {
        "word_vectors": torch.from_numpy(np.ascontiguousarray(word_matrix, dtype=np.float32)),
        "ngram_vectors": torch.from_numpy(np.ascontiguousarray(ngram_matrix, dtype=np.float32)),
    }
    if output_vectors is not None:
        output_matrix = read_matrix(output_vectors, "output vectors")
        if output_matrix.shape != word_matrix.shape:
            raise UserInputError(
                f"{output_vectors}: shape {output_matrix.shape}, expected {word_matrix.shape}", "rerun extract_vectors"
            )
        tensors["output_vectors"] = torch.from_numpy(np.ascontiguousarray(output_matrix, dtype=np.float32))
    metadata = {"format": FORMAT, "ngram_settings": json.dumps(settings, sort_keys=True)}
    _write_export(weights_out, vocab_out, loader_out, lambda tmp: save_file(tensors, tmp, metadata=metadata), words)
    log.info("exported %s word vectors and %s n-gram vectors to %s", word_matrix.shape, ngram_matrix.shape, weights_out)
    return {"words": len(words), "dim": int(word_matrix.shape[1]), "bucket": int(ngram_matrix.shape[0])}


def _write_export(weights, vocab, loader, save_weights, words: list[str]) -> None:
    """An export directory: the safetensors file ``save_weights(path)`` writes (its metadata
    sorted, for byte-identical reruns), the words in id order, and the torch-only loader, so that
    the directory is self-contained; each file atomically."""
    with atomic_path(weights, suffix=".safetensors") as tmp:
        save_weights(tmp)
        sort_safetensors_metadata(tmp)
    with atomic_open(vocab) as out:
        out.write("".join(word + "\n" for word in words))
    if loader is not None:
        with atomic_path(loader, suffix=".py") as tmp:
            shutil.copyfile(LOADER, tmp)


def write_compact_export(
    compact_weights: str | Path,
    compact_vocab: str | Path,
    compact_loader: str | Path | None,
    tensors: dict[str, np.ndarray],
    words: list[str],
    settings: dict,
    chosen: dict,
) -> None:
    """A compact export: codes, codebooks and kept bucket numbers in safetensors (the n-gram
    settings and the variant in its metadata), the kept words in id order, and the loader."""
    from safetensors.numpy import save_file

    metadata = {
        "format": COMPACT_FORMAT,
        "ngram_settings": json.dumps(settings, sort_keys=True),
        "compression": json.dumps(chosen, sort_keys=True),
    }
    _write_export(
        compact_weights, compact_vocab, compact_loader, lambda tmp: save_file(tensors, tmp, metadata=metadata), words
    )


# --- the static export: sentence-transformers' StaticEmbedding and model2vec's StaticModel ----

STATIC_UNKNOWN = "[UNK]"


def _static_rows(embedding, token_counts, extend: bool, extend_min_count: int):
    """Keys and unit-length rows: the vocabulary, then (``extend``) the corpus' types that are not
    in it (below fastText's ``minCount``) seen at least ``extend_min_count`` times, from their
    subword vectors; a spelling met twice (a jamo model's) keeps its first, most frequent row."""
    from morphvec.corpus import read_token_counts
    from morphvec.jamo import from_jamo

    words = list(embedding.vocab)
    rows = [embedding.embedding.weight.detach().numpy()]
    if extend and embedding.max_n:
        known = set(words)
        extra = [t for t, count in read_token_counts(token_counts) if count >= extend_min_count and t not in known]
        if extra:
            vectors = embedding.oov_vectors(extra).detach().numpy()  # rows read from the file, not mapped
            nonzero = np.linalg.norm(vectors, axis=1) > 0  # no n-gram row at all: better unknown than zero
            words += [word for word, keep in zip(extra, nonzero, strict=True) if keep]
            rows.append(vectors[nonzero])
    matrix = np.concatenate(rows).astype(np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix = np.where(norms > 0, matrix / np.maximum(norms, np.finfo(np.float32).tiny), 0.0).astype(np.float32)
    if embedding.jamo:  # queried in ordinary Hangul, like every other query path
        words = [from_jamo(word) for word in words]
    first: dict[str, int] = {}
    for position, word in enumerate(words):
        first.setdefault(word, position)
    return list(first), matrix[list(first.values())]


@configured("export_static")
def export_static(
    torch_weights: str | Path,
    torch_vocab: str | Path,
    token_counts: str | Path,
    static_weights: str | Path,
    static_tokenizer: str | Path,
    static_config: str | Path,
    static_modules: str | Path,
    static_stats: str | Path | None = None,
    tokens: str | Path | None = None,
    static_sif: str | Path | None = None,
    token_stats: str | Path | None = None,
    eojeol_counts: str | Path | None = None,
    *,
    extend_vocabulary: bool = SCHEMA_DEFAULT,
    extend_min_count: int = SCHEMA_DEFAULT,
    raw_text: bool = SCHEMA_DEFAULT,
    raw_eojeol_min_count: int = SCHEMA_DEFAULT,
    raw_pieces: int = SCHEMA_DEFAULT,
    sif_a: float = SCHEMA_DEFAULT,
    sif_components: int = SCHEMA_DEFAULT,
    sif_documents: int = SCHEMA_DEFAULT,
) -> dict:
    """The static export: a folder that ``SentenceTransformer(dir)`` and
    ``StaticModel.from_pretrained(dir)`` open.

    ``model.safetensors`` holds ``embeddings``: one L2-normalised row per token (the vocabulary
    of the torch export ``torch_weights``/``torch_vocab``, then with ``extend_vocabulary`` the
    types of ``token_counts`` the vocabulary lacks -- below fastText's ``minCount`` -- seen at
    least ``extend_min_count`` times, from their subword vectors), and a zero row for unknown
    tokens.  So the plain mean of a text's rows is fastText's ``get_sentence_vector`` (the mean
    of unit word vectors) for text split the way the corpus was: model2vec drops unknown tokens;
    sentence-transformers averages the zero row in, which shortens the vector but keeps its
    direction.  ``tokenizer.json`` is a whitespace-split tokenizer (``tokenizers``),
    ``config.json`` model2vec's config, ``modules.json`` sentence-transformers' module list.

    ``raw_text`` (a run cut by an analyser, with subwords; needs ``token_stats`` and ``eojeol_counts``) adds
    rows for raw, unanalysed text (:mod:`morphvec.raw_text`): the corpus' eojeol seen at least
    ``raw_eojeol_min_count`` times, composed from their morphemes, and ``raw_pieces`` frequent
    word pieces (plus the corpus' characters) for any other eojeol.

    ``static_sif`` (a folder, with ``tokens``: the corpus' documents) gets the SIF flavour in the
    same layout (:mod:`morphvec.sif`): the rows weighted ``sif_a / (sif_a + p(w))`` by their
    share of ``token_counts``, without their components along the first ``sif_components``
    principal directions of ``sif_documents`` of the corpus' documents.
    """
    from morphvec.formats import open_torch_export
    from morphvec.jamo import from_jamo

    if raw_text and (token_stats is None or eojeol_counts is None):
        raise UserInputError(
            "the raw-text rows need the corpus' token statistics and eojeol counts",
            "give --token-stats and --eojeol-counts (tokenize_corpus/stats.json, eojeol_counts.tsv; --run-dir "
            "gives both), or --no-raw-text",
        )
    corpus = read_json(require_file(token_stats, "token statistics", "run the tokenize step")) if raw_text else {}
    embedding = open_torch_export(require_file(torch_weights, "torch export", "run export_torch"))  # mapped, not read
    require_file(torch_vocab, "torch vocabulary", "run export_torch")
    # Not for whitespace tokens (the eojeol are the tokens), nor without subwords: fastText leaves
    # an unknown word out there, and the pieces would not (analysed input would lose its parity).
    raw_text = raw_text and corpus.get("tokenizer", "whitespace") != "whitespace" and bool(embedding.max_n)
    # The analyser in a process that ends before the export's rows are read (memory).
    analysed = _analysed_eojeol(corpus, eojeol_counts, raw_eojeol_min_count) if raw_text else None
    words, matrix = _static_rows(embedding, token_counts, extend_vocabulary, extend_min_count)
    layer = None
    if analysed is not None:
        from morphvec.raw_text import build_raw_text

        counts, analyses = analysed
        layer = build_raw_text(words, counts, analyses, raw_eojeol_min_count, raw_pieces, _text_vectors(embedding))
    keys = words + (layer.keys if layer else [])
    unknown = STATIC_UNKNOWN if STATIC_UNKNOWN not in keys else f"{STATIC_UNKNOWN}_morphvec"
    tokenizer = flavour_tokenizer(keys, unknown, layer is not None, corpus.get("lowercase", False))
    write_static_folder(
        _flavour_table(matrix, layer), tokenizer, static_weights, static_tokenizer, static_config, static_modules
    )
    stats = {
        "rows": len(keys) + 1,
        "vocabulary_rows": len(embedding.vocab),
        "extension_rows": len(words) - len(embedding.vocab),
        "unknown_token": unknown,
        "extend_vocabulary": extend_vocabulary,
        "extend_min_count": extend_min_count,
        "raw_text": layer.stats if layer else None,
    }
    if static_sif is not None:
        sif_settings = {"a": sif_a, "components": sif_components, "documents": sif_documents}
        spell = from_jamo if embedding.jamo else str  # the corpus' tokens as the table's keys
        stats["sif"] = _export_sif(
            matrix, words, layer, tokenizer, stats, token_counts, tokens, static_sif, spell, **sif_settings
        )
    log.info("static export: %s", stats)
    if static_stats is not None:
        write_json(static_stats, stats)
    return stats


def _analysed_eojeol(corpus: dict, eojeol_counts, min_count: int) -> tuple[list, dict]:
    """The corpus' eojeol counts and the analyses :mod:`morphvec.raw_text` needs, cut by the run's
    analyser (as the corpus was) in a process of its own, as keys of the static table."""
    from morphvec.corpus import read_token_counts
    from morphvec.raw_text import analyse_as_keys, eojeol_to_analyse

    counts = read_token_counts(require_file(eojeol_counts, "eojeol counts", "run the tokenize step"))
    return counts, analyse_as_keys(eojeol_to_analyse(counts, min_count), corpus)


def _text_vectors(embedding):
    """Texts -> fastText's vectors of them (the word's row, or its n-grams'), in the model's unit."""
    from morphvec.jamo import to_jamo

    spell = to_jamo if embedding.jamo else str
    return lambda texts: embedding.word_vectors([spell(text) for text in texts]).detach().numpy() if texts else []


def _flavour_table(matrix: np.ndarray, layer, prior: np.ndarray | None = None) -> np.ndarray:
    """A flavour's whole table: its token rows, the raw-text rows made from them (and from the
    pieces' ``prior`` as the flavour transforms rows), the zero row."""
    parts = [matrix] + ([layer.rows(matrix, prior)] if layer else [])
    return np.vstack([*parts, np.zeros((1, matrix.shape[1]), dtype=np.float32)])


def write_static_folder(table: np.ndarray, tokenizer, weights, tokenizer_file, config_file, modules_file) -> None:
    """One static flavour's four files: the table, the tokenizer, model2vec's config and
    sentence-transformers' module list."""
    from safetensors.numpy import save_file

    with atomic_path(weights, suffix=".safetensors") as tmp:
        save_file({"embeddings": table}, tmp)
    with atomic_open(tokenizer_file) as out:
        out.write(tokenizer.to_str())
    config = {
        "model_type": "model2vec",
        "architectures": ["StaticModel"],
        "tokenizer_name": "morphvec (whitespace-split: the run's morphemes; with raw-text rows eojeol and word pieces)",
        "apply_pca": None,
        "apply_zipf": None,
        "hidden_dim": int(table.shape[1]),
        "seq_length": 1_000_000,
        "normalize": False,
        "embedding_dtype": "float32",
    }
    with atomic_open(config_file) as out:
        out.write(json.dumps(config, indent=2, sort_keys=True) + "\n")
    modules = [{"idx": 0, "name": "0", "path": ".", "type": "sentence_transformers.models.StaticEmbedding"}]
    with atomic_open(modules_file) as out:
        out.write(json.dumps(modules, indent=2) + "\n")


def _export_sif(
    matrix, words, layer, tokenizer, stats, token_counts, tokens, folder, spell, *, a, components, documents
) -> dict:
    """The SIF flavour (:mod:`morphvec.sif`) as a folder in the static export's layout, its
    ``stats.json`` the parity flavour's ``stats`` with the SIF settings; the raw-text rows are
    made from its own rows."""
    from morphvec import sif
    from morphvec.corpus import read_token_counts

    if tokens is None:
        raise UserInputError("the SIF flavour needs the corpus' documents", "give --tokens tokenize_corpus/tokens.txt")
    counts: dict[str, int] = {}
    for token, count in read_token_counts(token_counts):  # a jamo run's tokens, spelt as its keys are
        counts[spell(token)] = counts.get(spell(token), 0) + count
    weights = sif.sif_weights(words, counts, a)
    weighted = sif.sif_table(matrix, weights, np.zeros((0, matrix.shape[1])))
    sample = sif.document_sample(require_file(tokens, "tokens", "run the tokenize step"), documents)
    index = {word: i for i, word in enumerate(words)}
    ids = [[index[key] for token in document if (key := spell(token)) in index] for document in sample]
    directions = sif.common_directions(weighted, ids, components)
    settings = {"a": a, "components": len(directions), "documents": len(sample)}
    prior = None
    if layer:  # a piece's prior is weighted as the token of its text would be ("##다" as 다)
        texts = [piece.removeprefix(PIECE_PREFIX) for piece in layer.pieces]
        prior = sif.sif_table(layer.prior, sif.sif_weights(texts, counts, a), directions)
    table = _flavour_table(sif.sif_table(matrix, weights, directions), layer, prior)
    with atomic_dir(folder) as tmp:
        files = [Path(tmp) / name for name in ("model.safetensors", "tokenizer.json", "config.json", "modules.json")]
        write_static_folder(table, tokenizer, *files)
        write_json(Path(tmp) / "stats.json", {**stats, "sif": settings})
    return settings
