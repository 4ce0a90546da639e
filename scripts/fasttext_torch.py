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

This file is copied next to the exported weights, so the export directory is self-contained.
"""

import functools
import json
from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

WEIGHTS_FILE = "embeddings.safetensors"
VOCAB_FILE = "vocab.txt"
FORMAT = "morphvec-fasttext-1"

_FNV_OFFSET = 2166136261
_FNV_PRIME = 16777619


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


@functools.lru_cache(maxsize=1 << 20)
def ngram_buckets(word: str, min_n: int, max_n: int, bucket: int) -> tuple[int, ...]:
    """Row indices (into the n-gram matrix) of ``word``'s character n-grams."""
    if bucket == 0 or max_n == 0:
        return ()
    return tuple(fasttext_hash(gram) % bucket for gram in char_ngrams(word, min_n, max_n))


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
    ) -> None:
        super().__init__()
        if word_vectors.shape[0] != len(vocab):
            raise ValueError(f"{word_vectors.shape[0]} word vectors but {len(vocab)} vocabulary entries")
        if word_vectors.shape[1] != ngram_vectors.shape[1]:
            raise ValueError("word and n-gram vectors differ in dimension")
        self.embedding = nn.Embedding.from_pretrained(word_vectors, freeze=freeze)
        self.ngram_embedding = nn.Embedding.from_pretrained(ngram_vectors, freeze=freeze)
        self.vocab = list(vocab)
        self.key_to_index = {word: index for index, word in enumerate(self.vocab)}
        self.min_n = int(min_n)
        self.max_n = int(max_n)
        self.bucket = int(ngram_vectors.shape[0])

    @classmethod
    def load(cls, path: str | Path, freeze: bool = True) -> "FastTextEmbedding":
        """Load an export directory (or the ``.safetensors`` file inside it)."""
        from safetensors import safe_open

        path = Path(path)
        directory = path.parent if path.suffix == ".safetensors" else path
        weights = path if path.suffix == ".safetensors" else directory / WEIGHTS_FILE
        with safe_open(weights, framework="pt") as handle:
            metadata = handle.metadata() or {}
            if metadata.get("format") != FORMAT:
                raise ValueError(f"{weights} is not a morphvec fastText export (format {metadata.get('format')!r})")
            word_vectors = handle.get_tensor("word_vectors")
            ngram_vectors = handle.get_tensor("ngram_vectors")
        settings = json.loads(metadata["ngram_settings"])
        vocab = (directory / VOCAB_FILE).read_text(encoding="utf-8").split("\n")[: word_vectors.shape[0]]
        return cls(word_vectors, ngram_vectors, vocab, settings["min_n"], settings["max_n"], freeze=freeze)

    @property
    def dim(self) -> int:
        return self.embedding.embedding_dim

    def token_ids(self, tokens: Sequence[str]) -> torch.Tensor:
        """Vocabulary ids of ``tokens`` as a LongTensor; ``-1`` marks out-of-vocabulary tokens."""
        get = self.key_to_index.get
        return torch.tensor([get(token, -1) for token in tokens], dtype=torch.long)

    def ngram_ids(self, word: str) -> list[int]:
        return list(ngram_buckets(word, self.min_n, self.max_n, self.bucket))

    def oov_vectors(self, words: Sequence[str]) -> torch.Tensor:
        """Vectors built from character n-grams only (fastText's rule for unknown words)."""
        flat: list[int] = []
        offsets: list[int] = []
        for word in words:
            offsets.append(len(flat))
            flat.extend(ngram_buckets(word, self.min_n, self.max_n, self.bucket))
        weight = self.ngram_embedding.weight
        if not words:
            return weight.new_zeros((0, self.dim))
        return F.embedding_bag(
            torch.tensor(flat, dtype=torch.long),
            weight,
            torch.tensor(offsets, dtype=torch.long),
            mode="mean",
        )

    def word_vectors(self, words: Sequence[str]) -> torch.Tensor:
        """fastText's ``get_word_vector`` for a batch of words, known or not: ``(len(words), dim)``."""
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

    def sentence_vectors(self, sentences: Sequence[Sequence[str] | str]) -> torch.Tensor:
        """fastText's ``get_sentence_vector`` (unsupervised models) for a batch of sentences.

        A sentence is a list of tokens or a string split on whitespace.  Each word vector is
        L2-normalised; zero vectors are skipped; the result is the mean over the rest (zero if
        none).  No end-of-sentence token is added, as in fastText for unsupervised models.
        """
        token_lists = [s.split() if isinstance(s, str) else list(s) for s in sentences]
        unique = list(dict.fromkeys(token for tokens in token_lists for token in tokens))
        position = {word: index for index, word in enumerate(unique)}
        vectors = self.word_vectors(unique)
        norms = vectors.norm(dim=1, keepdim=True)
        valid = (norms > 0).to(vectors.dtype)
        normalised = torch.where(norms > 0, vectors / norms.clamp_min(torch.finfo(vectors.dtype).tiny), 0.0)
        table = torch.cat([normalised, valid], dim=1)  # last column counts the non-zero vectors
        flat = [position[token] for tokens in token_lists for token in tokens]
        offsets, total = [], 0
        for tokens in token_lists:
            offsets.append(total)
            total += len(tokens)
        if not token_lists:
            return vectors.new_zeros((0, self.dim))
        summed = F.embedding_bag(
            torch.tensor(flat, dtype=torch.long), table, torch.tensor(offsets, dtype=torch.long), mode="sum"
        )
        counts = summed[:, -1:]
        return torch.where(counts > 0, summed[:, :-1] / counts.clamp_min(1.0), 0.0)
