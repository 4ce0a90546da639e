"""Every vector format morphvec reads, opened in one place.

* a fastText ``.bin`` (:func:`open_fasttext_model` for the fastText side; gensim's
  ``load_facebook_vectors`` for queries and evaluation);
* word2vec text and binary files, gzip or not (:func:`read_word2vec`, checked);
* gensim ``.kv`` / ``.model`` files, which are pickles: opened only with ``trust_pickle``;
* the arrays of ``extract_vectors`` (:func:`open_fasttext_vectors`, :func:`read_vocab_counts`,
  :func:`read_output_vectors`), never unpickled;
* the torch export and the compact export (:func:`open_torch_export`, :class:`TorchVectors`: the
  torch-only loader, :mod:`morphvec.fasttext_torch`) and the compact export's numpy reference
  decoding (:class:`CompactReference`).

:func:`load_vectors` opens any of them by name or content (:func:`detect_vectors_format`) as the
small KeyedVectors surface the evaluation and the query tool use.  A new vector reader goes here.
"""

import functools
import itertools
import json
import logging
from pathlib import Path

import numpy as np

from morphvec.corpus import GZIP_ERRORS, damaged_gzip, open_binary
from morphvec.pages import advise_random_access
from morphvec.runtime import UserInputError, read_json, require_file

log = logging.getLogger("morphvec.formats")

FASTTEXT_MAGIC = 793712314  # first int32 of a fastText .bin
VECTOR_FORMATS = ("auto", "fasttext", "gensim", "word2vec", "word2vec-binary", "torch")
# The "format" metadata of the torch exports (morphvec.fasttext_torch's FORMAT and COMPACT_FORMAT;
# written out here so that reading an export with numpy does not import torch; a test compares them)
EXPORT_FORMATS = {"full": "morphvec-fasttext-1", "compact": "morphvec-fasttext-compact-1"}


def detect_vectors_format(path: str | Path) -> str:
    path = Path(path)
    if path.is_dir():
        return "torch"
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".kv", ".model")):
        return "gensim"
    if name.endswith(".safetensors"):
        return "torch"
    if name.endswith(".bin"):
        with open(path, "rb") as handle:
            head = handle.read(4)
        if len(head) == 4 and int.from_bytes(head, "little") == FASTTEXT_MAGIC:
            return "fasttext"
        return "word2vec-binary"
    return "word2vec"


class TorchVectors:
    """Adapter giving a torch export the small KeyedVectors surface the evaluation needs."""

    def __init__(self, path: str | Path) -> None:
        self.embedding = open_torch_export(path)
        self.key_to_index = self.embedding.key_to_index
        self.index_to_key = self.embedding.vocab
        self.vectors = self.embedding.embedding.weight.detach().numpy()
        output = self.embedding.output_vectors
        self.output_vectors = None if output is None else output.numpy()
        self.has_subwords = self.embedding.max_n > 0 and self.embedding.bucket > 0

    def get_vector(self, word: str) -> np.ndarray:
        return self.embedding.word_vectors([word])[0].detach().numpy()


def load_vectors(path: str | Path, fmt: str = "auto", trust_pickle: bool = False):
    """Load vectors as a gensim KeyedVectors (or, for torch exports, an adapter).

    gensim's ``.kv``/``.model`` files are pickles, and unpickling a crafted file runs its code:
    they are opened only with ``trust_pickle``.  Every other format is read without pickle.
    """
    path = Path(path)
    if not path.exists():
        raise UserInputError(f"vectors not found: {path}", "give a .bin, .kv, .model, .txt or export directory")
    fmt = detect_vectors_format(path) if fmt == "auto" else fmt
    if fmt == "fasttext":
        from gensim.models.fasttext import load_facebook_vectors

        return load_facebook_vectors(str(path))
    if fmt == "gensim":
        loaded = open_gensim(path, trust_pickle)
        return loaded.wv if hasattr(loaded, "wv") else loaded
    if fmt in ("word2vec", "word2vec-binary"):
        return read_word2vec(path, what="vectors file")
    if fmt == "torch":
        return NumpyExport(path)  # numpy alone: a query on the torch export imports neither torch nor gensim
    raise UserInputError(f"unknown vectors format {fmt!r}", f"use one of {VECTOR_FORMATS}")


def has_subwords(kv) -> bool:
    """Whether ``kv`` gives unknown words a vector from their character n-grams."""
    if hasattr(kv, "has_subwords"):
        return bool(kv.has_subwords)
    return bool(getattr(kv, "bucket", 0)) and bool(getattr(kv, "max_n", 0))


def export_weights(path: str | Path) -> tuple[Path, Path]:
    """``(directory, embeddings.safetensors)`` of a torch or compact export given as either,
    checked: a directory without the file (the static export, a run directory) is named."""
    path = Path(path)
    if not path.exists():
        raise UserInputError(f"torch export not found: {path}", "give an export_torch or compress_vectors directory")
    directory, weights = (
        (path.parent, path) if path.suffix == ".safetensors" else (path, path / "embeddings.safetensors")
    )
    if path.is_dir() and not weights.is_file():
        raise UserInputError(
            f"{path} is not a torch export (it has no embeddings.safetensors)",
            "give an export_torch or compress_vectors directory (or --run-dir for a run's); a static export "
            "(export_static) opens in sentence-transformers and model2vec",
        )
    return directory, require_file(weights, "torch export", "give an export_torch or compress_vectors directory")


def open_torch_export(path: str | Path, **options):
    """A torch export or compact export directory (or its ``embeddings.safetensors``) in the
    torch-only loader, memory-mapped; a damaged, cut or foreign file is named with the fix."""
    from morphvec.fasttext_torch import FastTextEmbedding

    _, weights = export_weights(path)
    try:
        return FastTextEmbedding.load(weights, **options)
    except ValueError as error:  # the loader names the file and what is wrong with it
        raise UserInputError(
            str(error).split("; export")[0], "export it again (or copy the export completely)"
        ) from None


def open_fasttext_model(path: str | Path):
    """fastText's own model from a ``.bin`` (the fasttext binding), for the fastText side of parity."""
    import fasttext

    return fasttext.load_model(str(require_file(path, "fastText model", "run train_fasttext")))


def open_gensim(path: str | Path, trust_pickle: bool = False):
    """A gensim model or KeyedVectors file, memory-mapped; it is a pickle, so only with
    ``trust_pickle`` (the workflow's own files, or a file the user vouches for)."""
    if not trust_pickle:
        raise UserInputError(
            f"{path} is a gensim pickle, and loading a pickle runs whatever code it carries",
            "pass --trust-pickle if you made the file yourself, or give a pickle-free format: the fastText "
            ".bin, a word2vec file (extract_vectors writes both flavours) or a torch export directory",
        )
    from gensim.utils import SaveLoad

    return SaveLoad.load(str(path), mmap="r")


# --- the arrays of extract_vectors ------------------------------------------------------


def read_vocab_counts(path: str | Path) -> tuple[list[str], np.ndarray]:
    """Words and their corpus counts from an ``extract_vectors`` ``vocab.tsv`` (``id word count``)."""
    words, counts = [], []
    with open(path, encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        if header[:2] != ["id", "word"]:
            raise UserInputError(
                f"{path}: line 1: expected a header 'id<TAB>word<TAB>count', got {header}", "rerun extract_vectors"
            )
        for number, line in enumerate(handle, start=2):
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 3 or fields[0] != str(number - 2) or not fields[2].isdigit():
                raise UserInputError(
                    f"{path}: line {number}: expected id {number - 2}, a word and a count, got {fields[:3]}",
                    "rerun extract_vectors",
                )
            words.append(fields[1])
            counts.append(int(fields[2]))
    return words, np.array(counts, dtype=np.int64)


def read_vocab_tsv(path: str | Path) -> list[str]:
    """Words of an ``extract_vectors`` ``vocab.tsv`` (``id word count``), in id order."""
    return read_vocab_counts(path)[0]


def read_output_vectors(path) -> np.ndarray:
    """An ``output_vectors.npy`` (extract_vectors), memory-mapped, never unpickled."""
    return read_matrix(path, "output vectors", mmap=True)


def output_vectors_of(path, fmt: str):
    """The output (syn1neg) matrix that goes with the vectors at ``path``, or None.

    fastText ``.bin``: read by the fasttext binding; torch export: its ``output_vectors`` tensor;
    a word2vec file or ``.kv`` in an ``extract_vectors`` directory: the ``output_vectors.npy``
    beside it.
    """
    path = Path(path)
    if fmt == "fasttext":
        import fasttext

        return fasttext.load_model(str(path)).get_output_matrix()
    if fmt == "torch":
        return None  # TorchVectors carries it
    beside = path.parent / "output_vectors.npy"
    return read_output_vectors(beside) if beside.is_file() else None


# --- word2vec files (pretrained vectors, or files given to the evaluation) -----------------


def _word2vec_header(path: Path) -> tuple[int, int, bytes]:
    """``(count, dimensions, the bytes after the header)`` of a word2vec file, checked."""
    with open_binary(path) as handle:
        head = handle.readline(200)
        after = handle.read(1 << 16)
    fields = head.split()
    if len(fields) != 2 or not all(f.isdigit() for f in fields) or 0 in (int(fields[0]), int(fields[1])):
        raise UserInputError(
            f"{path}: line 1: expected the word2vec header '<count> <dimensions>', got {head[:60]!r}",
            "give a word2vec-format file (text or binary); GloVe's own .txt needs the header line added",
        )
    return int(fields[0]), int(fields[1]), after


def _looks_like_text(after_header: bytes, dimensions: int) -> bool:
    """True when the first vector is a text line ``word v1 ... vD``: the content decides the flavour."""
    line, newline, _ = after_header.partition(b"\n")
    fields = line.split()
    try:
        [float(value) for value in fields[1:]]
    except ValueError:
        return False
    return bool(newline) and len(fields) == dimensions + 1


def _data_bytes(path: Path) -> int:
    """The uncompressed size: streamed through gzip for a .gz (the header alone is no proof)."""
    with open(path, "rb") as probe:
        compressed = probe.read(2) == b"\x1f\x8b"
    if not compressed:
        return path.stat().st_size
    size = 0
    with open_binary(path) as handle:
        while chunk := handle.read(1 << 20):
            size += len(chunk)
    return size


def read_word2vec(path: str | Path, binary: bool | None = None, limit: int | None = None, what: str = "vectors file"):
    """Read a word2vec-format file (text or binary, gzip or not) as gensim KeyedVectors, checked.

    The flavour comes from the content, not the name (a text file called ``.bin`` is common);
    ``binary`` given explicitly must agree with it.  A header that claims more vectors than the
    file can hold stops before gensim allocates them, and NaN or infinite values stop with the
    word that has them (fastText and gensim would crash or train on them silently).
    """
    from gensim.models import KeyedVectors

    path = require_file(path, what, "check the path")
    try:
        count, dimensions, after = _word2vec_header(path)
        available = _data_bytes(path)
    except GZIP_ERRORS as error:
        raise damaged_gzip(path, "", error) from None
    is_text = _looks_like_text(after, dimensions)
    if binary is not None and binary == is_text:
        said, found = ("binary", "text") if binary else ("text", "binary")
        raise UserInputError(
            f"{path}: the file is {found} word2vec format, but binary is set to {binary} ({said})",
            "remove the binary setting (the format is recognised from the content)",
        )
    wanted = min(count, limit) if limit else count
    needed = wanted * (2 * dimensions if is_text else 4 * dimensions + 2)
    if needed > available:
        raise UserInputError(
            f"{path}: line 1: the header claims {count:,} vectors of {dimensions} dimensions, but the file holds "
            f"only {available:,} bytes (at least {needed:,} needed)",
            "the header or the file is wrong: repair the header, or download the file again",
        )
    try:
        kv = KeyedVectors.load_word2vec_format(str(path), binary=not is_text, limit=limit)
    except (ValueError, UnicodeDecodeError, EOFError, OSError) as error:
        raise UserInputError(
            f"{path}: cannot read it as {'text' if is_text else 'binary'} word2vec format ({error})",
            "check that the file is complete and that every line has a word and all of its values",
        ) from None
    finite = np.isfinite(kv.vectors).all(axis=1)
    if not finite.all():
        row = int(np.flatnonzero(~finite)[0])
        raise UserInputError(
            f"{path}: the vector of {kv.index_to_key[row]!r} (vector {row + 1}) holds NaN or infinite values "
            f"({int((~finite).sum()):,} such vectors)",
            "remove those vectors or regenerate the file",
        )
    log.info(
        "%s: %s word2vec format, %d vectors of %d dimensions",
        path,
        "text" if is_text else "binary",
        len(kv),
        dimensions,
    )
    return kv


def read_matrix(path: str | Path, what: str, mmap: bool = False) -> np.ndarray:
    """One of the ``.npy`` matrices of ``extract_vectors`` (word, n-gram or output vectors), never
    unpickled; ``mmap`` maps it instead of reading it.  A damaged file is named with the fix."""
    path = require_file(path, what, "run extract_vectors")
    try:
        matrix = np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
    except (OSError, ValueError, EOFError) as error:
        raise UserInputError(f"{path} is not a numpy array of {what} ({error})", "rerun extract_vectors") from None
    if matrix.ndim != 2:
        raise UserInputError(f"{path}: expected a matrix of {what}, got shape {matrix.shape}", "rerun extract_vectors")
    return matrix


def read_matrix_rows(path: str | Path, rows: np.ndarray, what: str, block_rows: int = 1 << 16) -> np.ndarray:
    """Rows ``rows`` (ascending) of an extracted ``.npy`` matrix, read ``block_rows`` rows at a
    time with plain reads, never mapped.

    A memory map is no good for a few hundred thousand scattered rows of a 2M-bucket matrix: the
    process's RSS counts every page it mapped, and on Linux 6.18 (large page-cache folios) each
    scattered row maps about 1.25 MB (measured: 400 random rows of full NSMC's n-gram matrix,
    +500 MB); block reads keep the memory to the rows kept.
    """
    header = read_matrix(path, what, mmap=True)  # checks the file; its shape, dtype and data offset
    (count_all, width), dtype = header.shape, header.dtype
    out = np.empty((len(rows), width), dtype=dtype)
    with open(path, "rb") as handle:
        for first in range(0, count_all, block_rows):
            lo, hi = np.searchsorted(rows, [first, first + block_rows])
            if lo == hi:
                continue
            handle.seek(header.offset + first * width * dtype.itemsize)
            count = min(block_rows, count_all - first)
            block = np.fromfile(handle, dtype=dtype, count=count * width).reshape(count, width)
            out[lo:hi] = block[rows[lo:hi] - first]
    return out


def fasttext_keyed_vectors(vector_size: int, min_n: int, max_n: int, bucket: int, subwords: str = "fasttext"):
    """An empty gensim ``FastTextKeyedVectors`` for ``subwords`` (:mod:`morphvec.ngrams`): gensim's
    own class for fastText's n-grams, :func:`subword_keyed_vectors_class`'s for another scheme."""
    from gensim.models.fasttext import FastTextKeyedVectors

    cls = FastTextKeyedVectors if subwords == "fasttext" else subword_keyed_vectors_class()
    wv = cls(vector_size, min_n, max_n, bucket)
    if subwords != "fasttext":
        wv.subwords = subwords
    return wv


def use_subwords(wv, subwords: str) -> None:
    """Give a loaded gensim ``FastTextKeyedVectors`` the n-grams of ``subwords`` (its word vectors
    recomposed from them): a ``.bin`` cannot say which scheme its model was trained with."""
    if subwords == "fasttext":
        return
    wv.__class__ = subword_keyed_vectors_class()
    wv.subwords = subwords
    wv.recalc_char_ngram_buckets()
    wv.adjust_vectors()


@functools.cache
def subword_keyed_vectors_class():
    """gensim's ``FastTextKeyedVectors`` with another subword scheme than fastText's: the n-gram
    lists of its words (which gensim's trainer reads) and of unknown words come from
    :func:`morphvec.ngrams.ngram_buckets`.  gensim hashes fastText's n-grams in two places that
    take no scheme (``recalc_char_ngram_buckets`` and ``get_vector``), so both are overridden.
    A file saved from it needs morphvec to open (its class lives here)."""
    from gensim.models.fasttext import FastTextKeyedVectors

    from morphvec.ngrams import ngram_buckets

    class SubwordKeyedVectors(FastTextKeyedVectors):
        subwords = "syllable_jamo"

        def word_buckets(self, word: str) -> np.ndarray:
            return np.array(ngram_buckets(word, self.min_n, self.max_n, self.bucket, self.subwords), dtype=np.uint32)

        def recalc_char_ngram_buckets(self) -> None:
            self.buckets_word = [self.word_buckets(word) for word in self.index_to_key]

        def get_vector(self, word, norm=False):
            if word in self.key_to_index or self.bucket == 0:
                return super().get_vector(word, norm=norm)
            buckets = self.word_buckets(word)
            if not len(buckets):
                return np.zeros(self.vector_size, dtype=np.float32)
            vector = np.asarray(self.vectors_ngrams[buckets], dtype=np.float32).mean(axis=0)
            return vector / np.linalg.norm(vector) if norm else vector

    SubwordKeyedVectors.__module__ = __name__
    SubwordKeyedVectors.__qualname__ = "SubwordKeyedVectors"
    return SubwordKeyedVectors


def __getattr__(name: str):
    """``morphvec.formats.SubwordKeyedVectors`` for pickles saved from it (gensim imported on use)."""
    if name == "SubwordKeyedVectors":
        return subword_keyed_vectors_class()
    raise AttributeError(name)


def open_fasttext_vectors(
    word_vectors: str | Path, ngram_vectors: str | Path, vocab: str | Path, ngram_settings: str | Path
):
    """gensim ``FastTextKeyedVectors`` from the :func:`extract_vectors` files, memory-mapped.

    No pickle is read (``.kv``/``.model`` files are pickles): the arrays are ``.npy`` files opened
    with ``allow_pickle=False``, so in-vocabulary, out-of-vocabulary and sentence vectors come from
    gensim's own code over data that cannot run code.
    """
    settings = read_json(require_file(ngram_settings, "n-gram settings", "run extract_vectors"))
    words = read_vocab_tsv(require_file(vocab, "vocabulary", "run extract_vectors"))
    subwords = settings.get("subwords", "fasttext")  # files from before 2026-12 have no key
    wv = fasttext_keyed_vectors(
        settings["vector_size"], settings["min_n"], settings["max_n"], settings["bucket"], subwords
    )
    wv.compatible_hash = settings["compatible_hash"]
    wv.index_to_key = words
    wv.key_to_index = {word: index for index, word in enumerate(words)}
    wv.vectors = read_matrix(word_vectors, "word vectors", mmap=True)
    wv.vectors_ngrams = read_matrix(ngram_vectors, "n-gram vectors", mmap=True)
    advise_random_access(wv.vectors_ngrams.ctypes.data, wv.vectors_ngrams.nbytes)  # scattered rows: no read-ahead
    if len(wv.vectors) != len(words):
        raise UserInputError(f"{word_vectors}: {len(wv.vectors)} rows for {len(words)} words", "rerun extract_vectors")
    return wv


# --- the static export (sentence-transformers, model2vec) --------------------------------------


class StaticVectors:
    """A static export read the way model2vec's ``StaticModel`` reads it: ``tokenizer.json``
    (whitespace split; word pieces for raw text) gives token ids, and a text's vector is the mean of the rows
    of its known tokens (unknown tokens dropped; none known: zero).  ``vocabulary_rows`` is the
    number of rows the model's own vocabulary has (the rest extend it: see ``export_static``),
    so the table without its extension can be measured too (``vocabulary_only``)."""

    def __init__(self, directory: str | Path) -> None:
        from safetensors import safe_open
        from tokenizers import Tokenizer

        directory = Path(directory)
        weights = require_file(directory / "model.safetensors", "static export", "run export_static")
        try:
            self.tokenizer = Tokenizer.from_file(
                str(require_file(directory / "tokenizer.json", "static tokenizer", "run export_static"))
            )
            with safe_open(str(weights), framework="numpy") as handle:
                self.embeddings = handle.get_tensor("embeddings")
        except Exception as error:  # tokenizers and safetensors raise their own exception types
            raise UserInputError(
                f"{directory}: not a readable static export ({error})", "run export_static again"
            ) from None
        stats = read_json(directory / "stats.json") if (directory / "stats.json").is_file() else {}
        self.unknown_id = self.tokenizer.token_to_id(stats.get("unknown_token", "[UNK]"))
        self.vocabulary_rows = stats.get("vocabulary_rows", len(self.embeddings))

    def ids(self, texts: list[str]) -> list[list[int]]:
        return [encoding.ids for encoding in self.tokenizer.encode_batch_fast(texts, add_special_tokens=False)]

    def known(self, ids: list[int], vocabulary_only: bool = False) -> list[int]:
        limit = self.vocabulary_rows if vocabulary_only else len(self.embeddings)
        return [i for i in ids if i != self.unknown_id and i < limit]

    def unknown_share(self, texts: list[str]) -> float:
        """The share of the texts' tokens (as ``tokenizer.json`` cuts them) that get the unknown row."""
        ids = [i for encoded in self.ids(texts) for i in encoded]
        return sum(1 for i in ids if i == self.unknown_id) / len(ids) if ids else 0.0

    def sentence_vectors(self, texts: list[str], vocabulary_only: bool = False) -> np.ndarray:
        """The mean of each text's known rows, for a batch at once: a sparse (texts x rows) matrix
        of 1/count weights times the table, so that no copy of a row per token is made."""
        from scipy.sparse import csr_matrix

        encoded = self.ids(texts)
        known = [self.known(ids, vocabulary_only) for ids in encoded]
        counts = np.array([len(ids) for ids in known], dtype=np.int64)
        columns = np.fromiter(itertools.chain.from_iterable(known), dtype=np.int64, count=int(counts.sum()))
        weights = np.repeat(1.0 / np.maximum(counts, 1), counts).astype(np.float32)
        means = csr_matrix((weights, columns, np.r_[0, np.cumsum(counts)]), shape=(len(texts), len(self.embeddings)))
        return np.asarray(means @ self.embeddings, dtype=np.float32)


# --- the compact export's reference decoding ---------------------------------------------


def decode(codes: np.ndarray, codebooks: np.ndarray) -> np.ndarray:
    """Rows rebuilt from their codes: the chosen centroid of every piece, side by side."""
    pieces = codebooks[np.arange(codebooks.shape[0]), codes.astype(np.int64)]  # (rows, subvectors, width)
    return pieces.reshape(len(codes), codebooks.shape[0] * codebooks.shape[2])


class CompactReference:
    """The numpy reference decoding of a compact export, with gensim's n-gram hashing: what the
    torch loader must reproduce (in-vocabulary, out-of-vocabulary and sentence vectors)."""

    def __init__(self, directory: str | Path) -> None:
        from safetensors import safe_open

        directory = Path(directory)
        with safe_open(directory / "embeddings.safetensors", framework="numpy") as handle:
            tensors = {name: handle.get_tensor(name) for name in handle.keys()}  # noqa: SIM118
            settings = json.loads(handle.metadata()["ngram_settings"])
        self.words = (directory / "vocab.txt").read_text(encoding="utf-8").split("\n")[: len(tensors["word_codes"])]
        self.index = {word: i for i, word in enumerate(self.words)}
        self.word_rows = decode(tensors["word_codes"], tensors["word_codebooks"])
        self.ngram_rows = decode(tensors["ngram_codes"], tensors["ngram_codebooks"])
        self.row_of_bucket = {int(b): i for i, b in enumerate(tensors["kept_buckets"])}
        self.min_n, self.max_n, self.bucket = settings["min_n"], settings["max_n"], settings["bucket"]
        self.subwords = settings.get("subwords", "fasttext")

    def word_vector(self, word: str) -> np.ndarray:
        from gensim.models.fasttext import ft_ngram_hashes

        from morphvec.ngrams import ngram_buckets

        if word in self.index:
            return self.word_rows[self.index[word]]
        if self.subwords == "fasttext":  # gensim's own hashing, a second implementation beside the loader's
            hashes = ft_ngram_hashes(word, self.min_n, self.max_n, self.bucket) if self.max_n else []
        else:
            hashes = ngram_buckets(word, self.min_n, self.max_n, self.bucket, self.subwords)
        rows = [self.row_of_bucket[h] for h in hashes if h in self.row_of_bucket]  # dropped: nothing
        return self.ngram_rows[rows].mean(axis=0) if rows else np.zeros(self.word_rows.shape[1], dtype=np.float32)

    def sentence_vector(self, tokens: list[str]) -> np.ndarray:
        """fastText's rule: the mean of the L2-normalised word vectors, zero vectors skipped."""
        vectors = [self.word_vector(token) for token in tokens]
        unit = [v / np.linalg.norm(v) for v in vectors if np.linalg.norm(v) > 0]
        return np.mean(unit, axis=0) if unit else np.zeros(self.word_rows.shape[1], dtype=np.float32)


# --- the torch export read with numpy alone (the query tool: no torch, no gensim) ---------------

_SAFETENSORS_DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "U8": np.uint8}


def _safetensors_header(path: Path) -> tuple[dict, int]:
    """The JSON header of a safetensors file and where its data start, checked."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        length = int.from_bytes(handle.read(8), "little")
        if not 2 <= length <= min(size - 8, 100_000_000):
            raise UserInputError(
                f"{path}: not a readable safetensors file (header of {length:,} bytes in a {size:,}-byte file)",
                "export it again (or copy the export completely)",
            )
        try:
            header = json.loads(handle.read(length))
        except ValueError as error:
            raise UserInputError(f"{path}: not a readable safetensors file ({error})", "export it again") from None
    return header, 8 + length


class NumpyExport:
    """A torch export or compact export read with numpy alone, memory-mapped: the small
    KeyedVectors surface of the query tool and the evaluation (``index_to_key``, ``key_to_index``,
    ``vectors``, ``get_vector``, ``has_subwords``, ``output_vectors``).  Keys are the model's own
    spelling (:class:`morphvec.query.Space` translates jamo); an unknown word is the mean of its
    n-gram rows (:mod:`morphvec.ngrams`), those a compact model kept."""

    def __init__(self, path: str | Path) -> None:
        directory, weights = export_weights(path)
        self.path = weights
        header, start = _safetensors_header(weights)
        metadata = header.pop("__metadata__", {}) or {}
        if metadata.get("format") not in EXPORT_FORMATS.values():
            raise UserInputError(
                f"{weights}: not a morphvec export (format {metadata.get('format')!r})",
                "give the directory export_torch or compress_vectors wrote",
            )
        try:
            tensors = {name: self._map(weights, start, info) for name, info in header.items()}
            settings = json.loads(metadata["ngram_settings"])
            self.min_n, self.max_n, self.bucket = (
                int(settings["min_n"]),
                int(settings["max_n"]),
                int(settings["bucket"]),
            )
            self.subwords = str(settings.get("subwords", "fasttext"))
        except (KeyError, TypeError, ValueError) as error:
            raise UserInputError(f"{weights}: damaged export ({error})", "export it again") from None
        self.compact = metadata["format"] == EXPORT_FORMATS["compact"]
        if self.compact:
            self.vectors = decode(tensors["word_codes"], tensors["word_codebooks"])
            self._ngram_codes, self._ngram_books = tensors["ngram_codes"], tensors["ngram_codebooks"]
            self._kept = np.asarray(tensors["kept_buckets"])
        else:
            self.vectors, self._ngrams = tensors["word_vectors"], tensors["ngram_vectors"]
        self.output_vectors = tensors.get("output_vectors")
        words = require_file(directory / "vocab.txt", "export vocabulary", "export it again").read_text(
            encoding="utf-8"
        )
        words = words.split("\n")
        self.index_to_key = words[: len(self.vectors)]
        self.key_to_index = {word: index for index, word in enumerate(self.index_to_key)}
        self.has_subwords = self.max_n > 0 and self.bucket > 0

    @staticmethod
    def _map(weights: Path, start: int, info: dict) -> np.ndarray:
        dtype = _SAFETENSORS_DTYPES[info["dtype"]]
        begin, end = info["data_offsets"]
        shape = tuple(info["shape"])
        if not all(shape) or end == begin:
            return np.zeros(shape, dtype=dtype)
        return np.memmap(weights, dtype=dtype, mode="r", offset=start + begin, shape=shape)

    def ngram_rows(self, word: str) -> np.ndarray:
        """The n-gram rows of ``word`` (those a compact model kept), one per n-gram."""
        from morphvec.ngrams import ngram_buckets

        buckets = np.array(ngram_buckets(word, self.min_n, self.max_n, self.bucket, self.subwords), dtype=np.int64)
        if not self.compact:
            return np.asarray(self._ngrams[buckets], dtype=np.float32)
        position = np.searchsorted(self._kept, buckets).clip(max=max(len(self._kept) - 1, 0))
        found = position[self._kept[position] == buckets] if len(self._kept) else position[:0]
        return decode(self._ngram_codes[found], self._ngram_books)

    def get_vector(self, word: str) -> np.ndarray:
        """fastText's ``get_word_vector``: the word's row, else the mean of its n-gram rows (zero if none)."""
        index = self.key_to_index.get(word)
        if index is not None:
            return np.asarray(self.vectors[index], dtype=np.float32)
        rows = self.ngram_rows(word)
        return rows.mean(axis=0) if len(rows) else np.zeros(self.vectors.shape[1], dtype=np.float32)
