"""fastText embeddings as PyTorch modules: a small loader that needs only ``torch``.

Loads what the ``export_torch`` step writes (``embeddings.safetensors`` + ``vocab.txt``) and
computes exactly what fastText computes, batched:

* :meth:`FastTextEmbedding.token_ids` -- vocabulary ids (``-1`` for unknown words);
* :attr:`FastTextEmbedding.embedding` -- an ``nn.Embedding`` over the vocabulary
  (``from_pretrained``), for use as the first layer of a model;
* :meth:`FastTextEmbedding.word_vectors` -- any word's vector; out-of-vocabulary words get the
  mean of their hashed character n-gram rows, like fastText's ``get_word_vector``;
* :meth:`FastTextEmbedding.sentence_vectors` -- fastText's ``get_sentence_vector`` for
  unsupervised models: the mean of the L2-normalised word vectors (zero vectors skipped, no EOS).

Usage::

    from fasttext_torch import FastTextEmbedding
    emb = FastTextEmbedding.load("results/nsmc_sample/export_torch")
    emb.word_vectors(["영화", "재밌"])               # (2, dim)
    emb.sentence_vectors([["영화", "가", "재밌", "다"]])  # (1, dim)

The same class opens a **compact** export (the ``compress_vectors`` step: pruned vocabulary,
kept n-gram buckets, product-quantized rows): its codes are decoded once at load time into the
same two matrices, and an n-gram whose bucket was dropped contributes nothing (an unknown word's
vector is the mean of its n-gram rows that were kept).  Same API, same code paths.

A **jamo** model (``tokenizer.unit: jamo``: every Hangul syllable stored as its three jamo) is
recognised from its vocabulary and queried in ordinary Hangul: known words are found under both
spellings, and unknown words are decomposed before their n-grams are hashed.  A model trained
with Park et al.'s **syllable + jamo** subwords (``subwords: syllable_jamo`` in the export's
n-gram settings) gives a word its syllable n-grams and, beside them, the jamo n-grams
(:data:`JAMO_NGRAMS` long, holding at least one jamo) of the word written in jamo.

This file is copied next to the exported weights, so the export directory is self-contained
(which is why it carries its own copy of the jamo rule of ``morphvec.jamo``).
"""

import array
import itertools
import json
import os
import re
from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

WEIGHTS_FILE = "embeddings.safetensors"
VOCAB_FILE = "vocab.txt"
FORMAT = "morphvec-fasttext-1"
COMPACT_FORMAT = "morphvec-fasttext-compact-1"

_FNV_OFFSET = 2166136261
_FNV_PRIME = 16777619
JAMO_NGRAMS = (3, 5)  # Park et al.'s jamo n-gram lengths (subwords: syllable_jamo)


def fasttext_hash(text: str) -> int:
    """fastText's FNV-1a hash of a string's UTF-8 bytes.

    fastText xors each byte after casting it to ``int8_t`` then ``uint32_t``, so bytes >= 0x80
    are sign-extended (``0xFFFFFF00 | byte``); this quirk is part of the model format.
    """
    h = _FNV_OFFSET
    for byte in text.encode("utf-8"):
        h = ((h ^ (byte | 0xFFFFFF00 if byte >= 0x80 else byte)) * _FNV_PRIME) & 0xFFFFFFFF
    return h


def char_ngrams(word: str, min_n: int, max_n: int) -> list[str]:
    """The character n-grams fastText uses for ``word`` (``Dictionary::computeSubwords``).

    The word is wrapped as ``<word>``; n-grams of ``min_n``..``max_n`` characters are taken,
    except the lone boundary characters ``<`` and ``>`` when ``min_n`` is 1.
    """
    chars = "<" + word + ">"
    size = len(chars)
    grams = []
    for start in range(size):
        for n in range(max(min_n, 1), max_n + 1):
            end = start + n
            if end > size:
                break
            if n == 1 and (start == 0 or end == size):
                continue
            grams.append(chars[start:end])
    return grams


def _is_jamo(char: str) -> bool:
    return "\u1100" <= char <= "\u11ff" or char == _EMPTY_FINAL


def word_ngrams(word: str, min_n: int, max_n: int, subwords: str = "fasttext") -> list[str]:
    """``word``'s subwords: its character n-grams, and for ``syllable_jamo`` also the jamo
    n-grams (:data:`JAMO_NGRAMS` long) of the word in jamo that hold at least one jamo."""
    grams = char_ngrams(word, min_n, max_n)
    if subwords == "syllable_jamo":
        jamo = word.translate(_TO_JAMO)
        grams += [gram for gram in char_ngrams(jamo, *JAMO_NGRAMS) if any(map(_is_jamo, gram))]
    return grams


def ngram_buckets(word: str, min_n: int, max_n: int, bucket: int, subwords: str = "fasttext") -> tuple[int, ...]:
    """Row indices (into the n-gram matrix) of ``word``'s subwords."""
    if bucket == 0 or max_n == 0:
        return ()
    return tuple(fasttext_hash(gram) % bucket for gram in word_ngrams(word, min_n, max_n, subwords))


def ngram_buckets_batch(
    words: Sequence[str], min_n: int, max_n: int, bucket: int, subwords: str = "fasttext"
) -> tuple[torch.Tensor, torch.Tensor]:
    """:func:`ngram_buckets` for many words at once, without building n-gram strings.

    Returns ``(ids, offsets)`` in ``embedding_bag`` layout: the bucket ids of word ``i`` are
    ``ids[offsets[i]:offsets[i + 1]]`` (grouped by n-gram length, and for ``syllable_jamo`` the
    jamo n-grams after the syllable ones: that changes only the order of a sum).
    """
    ids, offsets = _hashed_ngrams(words, min_n, max_n, bucket)
    if subwords != "syllable_jamo" or not len(words) or bucket == 0 or max_n == 0:
        return ids, offsets
    jamo_ids, jamo_offsets = _hashed_ngrams([w.translate(_TO_JAMO) for w in words], *JAMO_NGRAMS, bucket, True)
    both = torch.cat([ids, jamo_ids])
    sizes = torch.diff(offsets, append=torch.tensor([len(ids)]))
    jamo_sizes = torch.diff(jamo_offsets, append=torch.tensor([len(jamo_ids)]))
    owners = torch.cat([torch.repeat_interleave(torch.arange(len(words)), n) for n in (sizes, jamo_sizes)])
    order = torch.sort(owners, stable=True).indices
    counts = sizes + jamo_sizes
    return both[order], torch.cumsum(counts, 0) - counts


def _hashed_ngrams(
    words: Sequence[str], min_n: int, max_n: int, bucket: int, jamo_only: bool = False
) -> tuple[torch.Tensor, torch.Tensor]:
    """Character n-gram buckets of many words as tensor work (``jamo_only``: the n-grams that
    hold a jamo).

    All words are encoded as ``<word>`` into one byte tensor; every character start then
    extends its FNV-1a hash by one character per step, for ``n = 1 .. max_n``, as tensor
    operations over all words together.
    """
    n_words = len(words)
    if n_words == 0 or bucket == 0 or max_n == 0:
        return torch.zeros(0, dtype=torch.long), torch.zeros(n_words, dtype=torch.long)
    encoded = [("<" + word + ">").encode("utf-8") for word in words]
    data = torch.frombuffer(bytearray(b"".join(encoded)), dtype=torch.uint8).long()
    signed = torch.where(data >= 0x80, data | 0xFFFFFF00, data)  # fastText's int8 sign extension
    byte_lengths = torch.tensor([len(e) for e in encoded], dtype=torch.long)
    word_of_byte = torch.repeat_interleave(torch.arange(n_words), byte_lengths)
    # Characters: where each starts, its byte length, its word, its index within the word.
    char_start = ((data & 0xC0) != 0x80).nonzero().flatten()
    n_chars = len(char_start)
    char_end = torch.cat([char_start[1:], torch.tensor([len(data)])])
    char_bytes = char_end - char_start
    char_word = word_of_byte[char_start]
    chars_per_word = torch.bincount(char_word, minlength=n_words)
    first_char = torch.cumsum(chars_per_word, 0) - chars_per_word
    char_in_word = torch.arange(n_chars) - first_char[char_word]
    chars_left = chars_per_word[char_word] - char_in_word  # characters from this one to the word's end
    max_char_bytes = int(char_bytes.max())
    if jamo_only:  # conjoining jamo U+1100-U+11FF and the empty-final mark U+2205: three bytes each
        byte = [data[(char_start + k).clamp_max(len(data) - 1)] for k in range(3)]
        code = ((byte[0] & 0x0F) << 12) | ((byte[1] & 0x3F) << 6) | (byte[2] & 0x3F)
        char_is_jamo = (char_bytes == 3) & (((code >= 0x1100) & (code <= 0x11FF)) | (code == ord(_EMPTY_FINAL)))
        holds_jamo = torch.zeros(n_chars, dtype=torch.bool)

    hashes = torch.full((n_chars,), _FNV_OFFSET, dtype=torch.long)
    found_ids, found_words = [], []
    for n in range(1, max_n + 1):
        valid = chars_left >= n  # an n-gram starting here fits in the word
        if not bool(valid.any()):
            break
        last = (torch.arange(n_chars) + n - 1).clamp_max(n_chars - 1)  # the n-th character
        if jamo_only:
            holds_jamo = holds_jamo | (valid & char_is_jamo[last])
        for b in range(max_char_bytes):
            take = valid & (char_bytes[last] > b)
            position = (char_start[last] + b).clamp_max(len(data) - 1)
            mixed = ((hashes ^ signed[position]) * _FNV_PRIME) & 0xFFFFFFFF
            hashes = torch.where(take, mixed, hashes)
        if n >= min_n:
            keep = valid
            if n == 1:  # fastText skips the lone '<' and '>'
                keep = keep & (char_in_word != 0) & (chars_left != 1)
            if jamo_only:
                keep = keep & holds_jamo
            found_ids.append(hashes[keep] % bucket)
            found_words.append(char_word[keep])
    ids = torch.cat(found_ids) if found_ids else torch.zeros(0, dtype=torch.long)
    owners = torch.cat(found_words) if found_words else torch.zeros(0, dtype=torch.long)
    order = torch.sort(owners, stable=True).indices
    counts = torch.bincount(owners, minlength=n_words)
    return ids[order], torch.cumsum(counts, 0) - counts


# --- jamo models (the rule of morphvec/jamo.py: initial + medial + final, ∅ for no final) ------
_EMPTY_FINAL = "\u2205"
_TO_JAMO = {
    code: chr(0x1100 + (code - 0xAC00) // 588)
    + chr(0x1161 + (code - 0xAC00) % 588 // 28)
    + (chr(0x11A7 + (code - 0xAC00) % 28) if (code - 0xAC00) % 28 else _EMPTY_FINAL)
    for code in range(0xAC00, 0xD7A4)
}
_SYLLABLE = re.compile("([\u1100-\u1112])([\u1161-\u1175])([\u11a8-\u11c2]|" + _EMPTY_FINAL + ")")


def _compose(match: re.Match) -> str:
    initial, medial, final = (ord(ch) for ch in match.group(1, 2, 3))
    tail = 0 if final == ord(_EMPTY_FINAL) else final - 0x11A7
    return chr(0xAC00 + ((initial - 0x1100) * 21 + medial - 0x1161) * 28 + tail)


def is_jamo_vocabulary(words: Sequence[str], look_at: int = 1000) -> bool:
    """Conjoining jamo and no precomposed syllable among the first words."""
    sample = "".join(words[:look_at])
    return not re.search("[\uac00-\ud7a3]", sample) and bool(re.search("[\u1100-\u11ff]", sample))


def _batch(items, what: str, example: str) -> Sequence:
    """``items`` as a batch; a bare string is refused: iterating it would give one character at a
    time, a silently wrong result (``token_ids("영화")`` would look up 영 and 화)."""
    if isinstance(items, (str, bytes)):
        raise TypeError(f"expected a list of {what}, got the string {items[:40]!r}: pass a list, e.g. {example}")
    return items


def _decode(codes: torch.Tensor, codebooks: torch.Tensor) -> torch.Tensor:
    """Product-quantized rows rebuilt: the chosen centroid of every piece, side by side."""
    pieces, centroids, width = codebooks.shape
    flat = (codes.int() + torch.arange(pieces, dtype=torch.int32) * centroids).long()  # into all codebooks
    return F.embedding(flat, codebooks.reshape(pieces * centroids, width)).reshape(codes.shape[0], pieces * width)


def _tensor_offset(weights: Path, name: str) -> int:
    """Where tensor ``name``'s data start in a safetensors file (8-byte header length, JSON header)."""
    with open(weights, "rb") as handle:
        length = int.from_bytes(handle.read(8), "little")
        header = json.loads(handle.read(length))
    return 8 + length + int(header[name]["data_offsets"][0])


def _read_vocab(path: Path, rows: int) -> list[str]:
    """The export's words, one per line in row order: as many as the weights have rows, none
    empty, none twice (two rows for one word would leave one of them unreachable)."""
    words = path.read_text(encoding="utf-8").split("\n")
    if words and words[-1] == "" and len(words) == rows + 1:
        words.pop()  # the file's last newline
    if len(words) != rows:
        raise ValueError(f"{path}: {len(words):,} lines for {rows:,} rows of word vectors; export again")
    distinct = set(words)
    if len(distinct) == len(words) and "" not in distinct:  # the usual case, checked at C speed
        return words
    seen: dict[str, int] = {}
    for number, word in enumerate(words, start=1):
        if not word:
            raise ValueError(f"{path}: line {number} is empty where a word goes; export again")
        if word in seen:
            raise ValueError(f"{path}: line {number}: {word!r} again (line {seen[word]} has it); export again")
        seen[word] = number
    return words


class FastTextEmbedding(nn.Module):
    """Word vectors plus the n-gram bucket matrix of a fastText model."""

    def __init__(
        self,
        word_vectors: torch.Tensor,
        ngram_vectors: torch.Tensor,
        vocab: Sequence[str],
        min_n: int,
        max_n: int,
        freeze: bool = True,
        bucket: int | None = None,
        kept_buckets: torch.Tensor | None = None,
        subwords: str = "fasttext",
    ) -> None:
        """``kept_buckets`` (ascending bucket numbers, one per n-gram row) for a compact model whose
        ``bucket`` hash buckets were pruned; None when every bucket has its row.  ``subwords``:
        ``fasttext`` or ``syllable_jamo`` (the module docstring)."""
        super().__init__()
        if word_vectors.shape[0] != len(vocab):
            raise ValueError(f"{word_vectors.shape[0]} word vectors but {len(vocab)} vocabulary entries")
        if word_vectors.shape[1] != ngram_vectors.shape[1]:
            raise ValueError("word and n-gram vectors differ in dimension")
        self.embedding = nn.Embedding.from_pretrained(word_vectors, freeze=freeze)
        self.ngram_embedding = nn.Embedding.from_pretrained(ngram_vectors, freeze=freeze)
        self.vocab = list(vocab)
        self.key_to_index = {word: index for index, word in enumerate(self.vocab)}
        self.jamo = is_jamo_vocabulary(self.vocab)
        if self.jamo:  # the Hangul spelling finds the same rows
            self.key_to_index.update((_SYLLABLE.sub(_compose, word), index) for index, word in enumerate(self.vocab))
        self.min_n = int(min_n)
        self.max_n = int(max_n)
        self.bucket = int(bucket if bucket is not None else ngram_vectors.shape[0])
        self.kept_buckets = kept_buckets
        self.subwords = subwords
        # The output (syn1neg) rows, one per word, when the export has them (IN-OUT queries).
        self.output_vectors: torch.Tensor | None = None
        # Unknown words met by encode(): their ids (from len(vocab) on) and n-gram vectors.
        self._oov_index: dict[str, int] = {}
        self._oov_rows: list[torch.Tensor] = []
        self._table_cache: tuple[tuple[int, int, int], torch.Tensor] | None = None
        # (file, byte offset, weight version) of the n-gram matrix in a loaded export: see _ngram_rows.
        self._ngram_file: tuple[str, int, int] | None = None

    @classmethod
    def load(cls, path: str | Path, freeze: bool = True) -> "FastTextEmbedding":
        """Load an export directory (or the ``.safetensors`` file inside it).

        safetensors memory-maps the file: opening is fast and rows are read when first used.
        """
        from safetensors import safe_open

        path = Path(path)
        directory = path.parent if path.suffix == ".safetensors" else path
        weights = path if path.suffix == ".safetensors" else directory / WEIGHTS_FILE
        compact: dict[str, torch.Tensor] = {}
        try:
            handle = safe_open(weights, framework="pt")
        except Exception as error:  # safetensors' own SafetensorError: a cut or damaged file
            if isinstance(error, OSError):
                raise
            raise ValueError(f"{weights}: not a readable safetensors file ({error}); export or copy it again") from None
        with handle:
            metadata = handle.metadata() or {}
            if metadata.get("format") == COMPACT_FORMAT:
                compact = {name: handle.get_tensor(name) for name in handle.keys()}  # noqa: SIM118
            elif metadata.get("format") != FORMAT:
                raise ValueError(f"{weights} is not a morphvec fastText export (format {metadata.get('format')!r})")
            else:
                word_vectors = handle.get_tensor("word_vectors")
                ngram_vectors = handle.get_tensor("ngram_vectors")
                output_vectors = handle.get_tensor("output_vectors") if "output_vectors" in handle.keys() else None  # noqa: SIM118
        try:
            settings = json.loads(metadata["ngram_settings"])
            min_n, max_n, bucket = int(settings["min_n"]), int(settings["max_n"]), int(settings["bucket"])
            subwords = str(settings.get("subwords", "fasttext"))  # exports from before 2026-12 have no key
            if compact:
                word_vectors = _decode(compact["word_codes"], compact["word_codebooks"])
        except (KeyError, TypeError, ValueError, IndexError, RuntimeError) as error:
            raise ValueError(f"{weights}: damaged export metadata or codes ({error!r}); export again") from None
        vocab = _read_vocab(directory / VOCAB_FILE, word_vectors.shape[0])
        if compact:
            codes = (compact["ngram_codes"], compact["ngram_codebooks"], compact["kept_buckets"])
            return CompactFastTextEmbedding(word_vectors, codes, vocab, min_n, max_n, bucket, subwords)
        embedding = cls(word_vectors, ngram_vectors, vocab, min_n, max_n, freeze=freeze, subwords=subwords)
        embedding.output_vectors = output_vectors
        if freeze:
            start = _tensor_offset(weights, "ngram_vectors")
            embedding._ngram_file = (str(weights), start, embedding.ngram_embedding.weight._version)
        return embedding

    @property
    def dim(self) -> int:
        return self.embedding.embedding_dim

    def token_ids(self, tokens: Sequence[str]) -> torch.Tensor:
        """Vocabulary ids of ``tokens`` as a LongTensor; ``-1`` marks out-of-vocabulary tokens.
        A bare string is a TypeError (pass ``[word]``)."""
        tokens = _batch(tokens, "tokens", '["영화", "재밌"]')
        get = self.key_to_index.get
        return torch.tensor([get(token, -1) for token in tokens], dtype=torch.long)

    def ngram_ids(self, word: str) -> list[int]:
        """Rows of ``word``'s character n-grams in the n-gram matrix (kept buckets only, if pruned)."""
        word = word.translate(_TO_JAMO) if self.jamo else word
        buckets = ngram_buckets(word, self.min_n, self.max_n, self.bucket, self.subwords)
        ids, _ = self._rows(torch.tensor(buckets, dtype=torch.long))
        return ids.tolist()

    def _rows(self, ids: torch.Tensor, offsets: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Bucket numbers to n-gram rows; in a pruned model, dropped buckets leave the bags."""
        kept = self.kept_buckets
        if kept is None:
            return ids, offsets
        position = torch.searchsorted(kept, ids).clamp_max(max(len(kept) - 1, 0))
        found = kept[position] == ids if len(kept) else torch.zeros_like(ids, dtype=torch.bool)
        if offsets is None:
            return position[found], None
        sizes = torch.diff(offsets, append=torch.tensor([len(ids)]))
        owner = torch.repeat_interleave(torch.arange(len(offsets)), sizes)
        kept_sizes = torch.bincount(owner[found], minlength=len(offsets))
        return position[found], torch.cumsum(kept_sizes, 0) - kept_sizes

    def oov_vectors(self, words: Sequence[str]) -> torch.Tensor:
        """Vectors built from character n-grams only (fastText's rule for unknown words)."""
        words = _batch(words, "words", '["없는말"]')
        if self.jamo:
            words = [word.translate(_TO_JAMO) for word in words]
        ids, offsets = self._rows(*ngram_buckets_batch(words, self.min_n, self.max_n, self.bucket, self.subwords))
        weight = self.ngram_embedding.weight
        if not len(words):
            return weight.new_zeros((0, self.dim))
        rows = self._ngram_rows(ids)
        if rows is not None:
            return F.embedding_bag(rows[1], rows[0], offsets, mode="mean")  # the same rows, in the same order
        return F.embedding_bag(ids, weight, offsets, mode="mean")

    def _ngram_rows(self, ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor] | None:
        """``(rows, index)``: the distinct n-gram rows ``ids`` use, read from the export file with
        ``os.pread``, and ``ids`` as positions among them; None to index the matrix itself (weights
        that train or were changed, a module built in memory).

        Why not the memory map: every scattered row read from it maps the file's whole page-cache
        folio, about 1.25 MB on Linux 6.18 (measured), so the n-grams of a few hundred unknown
        words made 800 MB of a 2M-bucket matrix resident; reading the rows keeps to them.
        """
        weight = self.ngram_embedding.weight
        if self._ngram_file is None or weight.requires_grad or weight._version != self._ngram_file[2]:
            return None
        path, start, _ = self._ngram_file
        distinct, index = torch.unique(ids, return_inverse=True)
        if not len(distinct):  # no n-gram at all (a model without subwords): empty bags
            return weight.new_zeros((0, self.dim)), index
        size = self.dim * weight.element_size()
        with open(path, "rb", buffering=0) as handle:
            data = b"".join(os.pread(handle.fileno(), size, start + row * size) for row in distinct.tolist())
        rows = torch.frombuffer(bytearray(data), dtype=weight.dtype).reshape(len(distinct), self.dim)
        return rows, index

    def word_vectors(self, words: Sequence[str]) -> torch.Tensor:
        """fastText's ``get_word_vector`` for a batch of words, known or not: ``(len(words), dim)``.
        A bare string is a TypeError (pass ``[word]``)."""
        words = _batch(words, "words", '["영화", "없는말"]')
        ids = self.token_ids(words)
        known = ids >= 0
        out = self.embedding.weight.new_empty((len(words), self.dim))
        out[known] = self.embedding(ids[known])
        unknown = (~known).nonzero().flatten().tolist()
        if unknown:
            out[unknown] = self.oov_vectors([words[i] for i in unknown])
        return out

    def forward(self, words: Sequence[str]) -> torch.Tensor:
        return self.word_vectors(words)

    @staticmethod
    def _normalise_with_count(*pieces: torch.Tensor) -> torch.Tensor:
        """The rows of ``pieces`` (stacked) times 1/L2 norm, as fastText does, plus a last column
        that is 1 where the norm is > 0; zero rows stay zero.

        Frozen weights are written straight into one table (no concatenated copy, no temporary
        the size of the table: 4 ms instead of 16 for 36k x 100); with gradients, the same as
        differentiable operations."""

        def inverse_norms(vectors: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            norms = vectors.norm(dim=1, keepdim=True)
            valid = norms > 0
            return torch.where(valid, 1.0 / norms.clamp_min(torch.finfo(vectors.dtype).tiny), 0.0), valid

        if torch.is_grad_enabled() and any(piece.requires_grad for piece in pieces):
            vectors = torch.cat(pieces)
            scale, valid = inverse_norms(vectors)
            return torch.cat([vectors * scale, valid.to(vectors.dtype)], dim=1)
        table = pieces[0].new_empty((sum(len(piece) for piece in pieces), pieces[0].shape[1] + 1))
        start = 0
        for piece in pieces:
            rows = table[start : start + len(piece)]
            scale, valid = inverse_norms(piece)
            torch.mul(piece, scale, out=rows[:, :-1])
            rows[:, -1:] = valid
            start += len(piece)
        return table

    def encode(self, sentences: Sequence[Sequence[str] | str]) -> tuple[torch.Tensor, torch.Tensor]:
        """Token ids and offsets of a batch of sentences, in ``embedding_bag`` layout.

        Known words get their vocabulary id.  An unknown word gets an id from ``len(vocab)`` on,
        for a row of its n-gram vector that this module computes once and keeps, so a dataset
        can be encoded once and its sentence vectors computed from ids alone
        (:meth:`sentence_vectors_from_ids`).  The batch must be a list: a bare string is a
        TypeError (pass ``[text]`` for one sentence).
        """
        sentences = _batch(sentences, "sentences", '["영화 가 재밌 다"] or [["영화", "가", "재밌", "다"]]')
        # One flat list, each sentence's own list dropped at once: keeping a list per sentence
        # made Python's cyclic GC walk every object of the process (torch makes ~160k) while a
        # 20k-sentence batch was split, 0.09 s of a first call's 0.3 s.
        flat: list[str] = []
        counts = array.array("q")
        for sentence in sentences:
            tokens = sentence.split() if isinstance(sentence, str) else sentence
            flat.extend(tokens)
            counts.append(len(tokens))
        lengths = torch.frombuffer(counts, dtype=torch.long) if counts else torch.zeros(0, dtype=torch.long)
        offsets = torch.cumsum(lengths, 0) - lengths
        if not flat:
            return torch.zeros(0, dtype=torch.long), offsets
        get = self.key_to_index.get
        ids = torch.frombuffer(array.array("q", map(get, flat, itertools.repeat(-1))), dtype=torch.long)
        unknown = (ids < 0).nonzero().flatten().tolist()
        if unknown:
            new_words = [w for w in dict.fromkeys(flat[i] for i in unknown) if w not in self._oov_index]
            if new_words:
                base = len(self.vocab) + len(self._oov_index)
                self._oov_index.update((word, base + k) for k, word in enumerate(new_words))
                self._oov_rows.append(self.oov_vectors(new_words).detach())
                self._table_cache = None
            index = self._oov_index
            ids[unknown] = torch.tensor([index[flat[i]] for i in unknown], dtype=torch.long)
        return ids, offsets

    def _sentence_table(self) -> torch.Tensor:
        """Normalised vectors (plus a non-zero flag column) for every id :meth:`encode` gives.

        Cached while the weights are frozen; recomputed (with gradients) when they train.
        """
        weight, ngram_weight = self.embedding.weight, self.ngram_embedding.weight
        if weight.requires_grad or ngram_weight.requires_grad:
            oov = self.oov_vectors(list(self._oov_index)) if self._oov_index else weight[:0]
            return self._normalise_with_count(weight, oov)
        key = (weight._version, ngram_weight._version, len(self._oov_index))
        if self._table_cache is None or self._table_cache[0] != key:
            if self._oov_rows and self._table_cache is not None and self._table_cache[0][1] != key[1]:
                self._oov_rows = [self.oov_vectors(list(self._oov_index))]  # n-gram rows changed
            self._table_cache = (key, self._normalise_with_count(weight, *self._oov_rows))
        return self._table_cache[1]

    def sentence_vectors_from_ids(self, ids: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
        """Sentence vectors of a batch encoded by :meth:`encode`: pure tensor work."""
        if len(offsets) == 0:
            return self.embedding.weight.new_zeros((0, self.dim))
        summed = F.embedding_bag(ids, self._sentence_table(), offsets, mode="sum")
        counts = summed[:, -1:]
        return torch.where(counts > 0, summed[:, :-1] / counts.clamp_min(1.0), 0.0)

    def sentence_vectors(self, sentences: Sequence[Sequence[str] | str]) -> torch.Tensor:
        """fastText's ``get_sentence_vector`` (unsupervised models) for a batch of sentences.

        ``sentences`` is a list; each sentence a list of tokens or a string split on whitespace (a
        bare string as the batch is a TypeError: pass ``[text]``).  Each word vector is
        L2-normalised; zero vectors are skipped; the result is the mean over the rest (zero if
        none).  No end-of-sentence token is added, as in fastText for unsupervised models.
        """
        return self.sentence_vectors_from_ids(*self.encode(sentences))


class CompactFastTextEmbedding(FastTextEmbedding):
    """A compact export: the kept words' vectors decoded at load time (``embedding``), the n-gram
    rows kept as codes and decoded when a lookup needs them -- so opening stays fast -- and
    n-grams whose bucket was dropped left out.  Same API as :class:`FastTextEmbedding`; the
    weights are frozen, and ``ngram_embedding`` is empty (use :meth:`decoded_ngram_rows`)."""

    def __init__(
        self, word_vectors, codes, vocab, min_n: int, max_n: int, bucket: int, subwords: str = "fasttext"
    ) -> None:
        ngram_codes, ngram_codebooks, kept_buckets = codes
        empty = word_vectors.new_zeros((0, word_vectors.shape[1]))
        super().__init__(word_vectors, empty, vocab, min_n, max_n, True, bucket, kept_buckets, subwords)
        self.ngram_codes = ngram_codes
        self.ngram_codebooks = ngram_codebooks

    def decoded_ngram_rows(self, rows: torch.Tensor | None = None) -> torch.Tensor:
        """The decoded n-gram rows ``rows`` (all kept rows if None)."""
        codes = self.ngram_codes if rows is None else self.ngram_codes[rows]
        return _decode(codes, self.ngram_codebooks)

    def oov_vectors(self, words: Sequence[str]) -> torch.Tensor:
        """The mean of a word's kept n-gram rows (zero if none was kept), decoding only those rows."""
        words = _batch(words, "words", '["없는말"]')
        if self.jamo:
            words = [word.translate(_TO_JAMO) for word in words]
        ids, offsets = self._rows(*ngram_buckets_batch(words, self.min_n, self.max_n, self.bucket, self.subwords))
        if not len(words):
            return self.embedding.weight.new_zeros((0, self.dim))
        needed, local = torch.unique(ids, return_inverse=True)
        return F.embedding_bag(local, self.decoded_ngram_rows(needed), offsets, mode="mean")
