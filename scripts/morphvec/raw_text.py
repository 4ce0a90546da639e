"""Raw text into the static export: what a model2vec or sentence-transformers user's
``encode("이 영화 정말 재미있었다")`` needs, with no analyser at encode time.

A static flavour's table has one row per token of the run's analyser (morphemes), and the mean of
a text's rows is fastText's sentence vector of the *analysed* text.  Raw text is split on
whitespace into eojeol, which are mostly not morphemes.  This layer adds, to any flavour's table:

- **eojeol rows**: each eojeol the corpus holds at least ``eojeol_min_count`` times gets the *sum*
  of its morphemes' rows (its analysis, cut as the corpus was cut).  The mean over a text's rows
  is then the analysed text's sum over fewer terms: the same direction as fastText's vector, which
  is all a cosine sees.
- **word pieces** for an eojeol never seen, run by ``tokenizers``' WordPiece (greedy longest
  prefix, then ``##`` pieces): the most frequent 2-4-character pieces of the corpus' eojeol plus
  every character it holds, every Hangul syllable and compatibility jamo and printable ASCII (WordPiece
  makes a whole word unknown for one character it lacks), each piece's row *fitted* (ridge least
  squares, pulled towards fastText's own vector of the piece's text) so that the pieces of the
  corpus' eojeol sum to their analyses, each eojeol cut as if it had no row of its own.  On the
  full NSMC model (Kiwi), pieces with rows copied from the morphemes of the same spelling left
  KorSTS dev at 49.4 on raw text against 52.7 analysed; fitted, 52.7 (README, "Raw text").

A string that is both a morpheme and an eojeol ("대박", "난") keeps its morpheme row: analysed
input keeps fastText parity, and raw input then gets the morpheme's vector, not the analysis'.

Everything here is linear in the flavour's rows, so one :class:`RawText` (analyses, pieces, fit)
serves the parity flavour and the SIF flavour alike (:meth:`RawText.rows`).
"""

import collections
import logging
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse
import scipy.sparse.linalg

log = logging.getLogger("morphvec.raw_text")

PIECE_PREFIX = "##"  # tokenizers' WordPiece continuation prefix
# Eojeol seen once are mostly typos and run-together text; the pieces are fitted on the rest.
FIT_MIN_COUNT = 2
PIECE_CHARS = 4  # the longest piece counted (characters)
# Pulls a piece that occurs in few fitted eojeol towards fastText's vector of its text (a piece
# no eojeol holds gets just that) instead of leaving it wild or zero.
RIDGE = 1.0
# Pieces whatever the corpus held, so that a Korean word is never unknown for one character.
ALWAYS_PIECES = [
    *map(chr, range(0xAC00, 0xD7A4)),  # Hangul syllables
    *map(chr, range(0x3131, 0x3164)),  # compatibility jamo: ㅋㅋ, ㅠㅠ
    *map(chr, range(0x21, 0x7F)),  # printable ASCII
]
# Longest word WordPiece looks at (tokenizers' default is 100): a longer one is unknown.
MAX_WORD_CHARS = 1000


@dataclass
class RawText:
    """The raw-text rows for a table whose rows are ``words``: keys, how each row is made from
    the table's rows, and what was counted on the way (``stats``)."""

    eojeol: list[str]
    pieces: list[str]
    composition: scipy.sparse.csr_matrix  # (eojeol, words): how many of each morpheme
    fit_rhs: scipy.sparse.csr_matrix  # (pieces, words): A^T W (targets), see :func:`_fit`
    solve: object  # the factorised (A^T W A + ridge I)
    prior: np.ndarray  # (pieces, dim): fastText's unit vector of each piece's text
    stats: dict = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        return self.eojeol + self.pieces

    def rows(self, table: np.ndarray, prior: np.ndarray | None = None) -> np.ndarray:
        """The eojeol and piece rows (float32) for ``table``, a flavour's rows of ``words``, and
        ``prior``, :attr:`prior` as that flavour transforms rows (default: as it is)."""
        base = table.astype(np.float64)
        prior = self.prior if prior is None else prior
        eojeol = self.composition @ base
        pieces = self.solve(self.fit_rhs @ base + RIDGE * prior) if self.pieces else np.zeros((0, table.shape[1]))
        return np.vstack([eojeol, pieces]).astype(np.float32)


def analyse_as_keys(words: list[str], corpus: dict) -> dict[str, list[str]]:
    """Each of ``words`` cut by the run's analyser (``corpus``: its tokenize step's statistics), in
    a process of its own, as keys of a static table (a jamo run's tokens in ordinary Hangul)."""
    from morphvec.jamo import from_jamo
    from morphvec.tokenize import CutWords

    cut = CutWords.of_run(words, corpus)
    key = from_jamo if corpus.get("unit") == "jamo" else str
    return {word: [key(token) for token, _ in cut(word)] for word in words}


def eojeol_to_analyse(eojeol_counts: list[tuple[str, int]], eojeol_min_count: int) -> list[str]:
    """The eojeol :func:`build_raw_text` needs analysed: those that get a row or help the fit."""
    needed = min(eojeol_min_count, FIT_MIN_COUNT)
    return [word for word, count in eojeol_counts if count >= needed]


def build_raw_text(
    words: list[str],
    eojeol_counts: list[tuple[str, int]],
    analyses: dict[str, list[str]],
    eojeol_min_count: int,
    pieces: int,
    vectors,
) -> RawText:
    """The layer for a table of ``words``: ``eojeol_counts`` the corpus' eojeol (most frequent
    first), ``analyses`` the morpheme tokens (keys of ``words``) of :func:`eojeol_to_analyse`'s
    eojeol, ``pieces`` the size of the trained piece vocabulary, ``vectors`` a callable: texts ->
    fastText's vectors of them (the pieces' prior)."""
    index = {word: i for i, word in enumerate(words)}
    counts = dict(eojeol_counts)
    missing: collections.Counter = collections.Counter()

    def morphemes(tokens: list[str]) -> dict[int, int]:
        ids: collections.Counter = collections.Counter()
        for token in tokens:
            if token in index:
                ids[index[token]] += 1
            else:
                missing[token] += 1
        return ids

    analyses = {word: morphemes(tokens) for word, tokens in analyses.items() if word not in index}
    eojeol = [word for word in analyses if counts[word] >= eojeol_min_count and analyses[word]]
    keys = {**index, **{word: len(index) + i for i, word in enumerate(eojeol)}}
    trained = _frequent_pieces(eojeol_counts, pieces)
    characters = sorted({char for word, _ in eojeol_counts for char in word} | set(ALWAYS_PIECES))
    candidates = [*trained, *characters, *(PIECE_PREFIX + char for char in characters)]
    piece_keys = list(dict.fromkeys(piece for piece in candidates if piece not in keys))
    collisions = len(set(candidates) & set(keys))
    composition = _sparse([analyses[word] for word in eojeol], len(words))
    prior = _unit(vectors([piece.removeprefix(PIECE_PREFIX) for piece in piece_keys]), len(piece_keys))
    fit_rhs, solve, fitted = _fit(words, keys, eojeol, composition, piece_keys, analyses, counts)
    stats = {
        "eojeol_rows": len(eojeol),
        "piece_rows": len(piece_keys),
        "eojeol_min_count": eojeol_min_count,
        "pieces": pieces,
        "fitted_eojeol": fitted,
        "fit_min_count": FIT_MIN_COUNT,
        "morphemes_without_row": sum(missing.values()),
        "pieces_already_keys": collisions,
    }
    return RawText(eojeol, piece_keys, composition, fit_rhs, solve, prior, stats)


def _unit(vectors: np.ndarray, rows: int) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float64).reshape(rows, -1)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def _sparse(rows: list[dict[int, int]], columns: int) -> scipy.sparse.csr_matrix:
    data, indices, pointers = [], [], [0]
    for row in rows:
        for column in sorted(row):
            indices.append(column)
            data.append(row[column])
        pointers.append(len(indices))
    return scipy.sparse.csr_matrix((data, indices, pointers), shape=(len(rows), columns), dtype=np.float64)


def _frequent_pieces(eojeol_counts: list[tuple[str, int]], size: int) -> list[str]:
    """The ``size`` most frequent pieces of the corpus' eojeol seen ``FIT_MIN_COUNT`` times, by
    occurrences (ties by text): starts of 2 to 4 characters, and later stretches of 2 to 4 as
    ``##`` pieces.  Counted, not trained: ``tokenizers``' WordPiece trainer breaks ties between
    equal merges by ids that follow a hash map's order, so two runs of the tiny test config got
    different pieces (16 of them) and a different ``tokenizer.json`` (huggingface/tokenizers
    issue #1794, open; its fix, pull request #2066, is not merged)."""
    counts: collections.Counter = collections.Counter()
    for word, count in eojeol_counts:
        if count < FIT_MIN_COUNT:
            break  # most frequent first
        for start in range(len(word) - 1):
            for end in range(start + 2, min(len(word), start + PIECE_CHARS) + 1):
                counts[word[start:end] if start == 0 else PIECE_PREFIX + word[start:end]] += count
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [piece for piece, _ in ranked[:size]]


def segment(word: str, keys, longest: int, skip_whole: bool = False) -> list[str] | None:
    """``word`` cut as ``tokenizers``' WordPiece cuts it over ``keys`` (None: unknown);
    ``skip_whole`` leaves out the word's own key, as if it had none."""
    out, start = [], 0
    while start < len(word):
        for end in range(min(len(word), start + longest), start, -1):
            piece = word[start:end] if start == 0 else PIECE_PREFIX + word[start:end]
            if piece in keys and not (skip_whole and start == 0 and end == len(word)):
                out.append(piece)
                start = end
                break
        else:
            return None
    return out


def _fit(words, keys, eojeol, composition, piece_keys, analyses, counts):
    """The piece rows' least-squares problem: for each eojeol seen ``FIT_MIN_COUNT`` times, cut
    without its own row, the free pieces' rows should sum to its analysis minus the fixed keys
    (morphemes, other eojeol) it was cut into; weighted by the square root of its count.  Linear
    in the table, so only ``A^T W targets`` and the factorised normal matrix are kept."""
    free = {piece: i for i, piece in enumerate(piece_keys)}
    all_keys = {**keys, **{piece: len(keys) + i for i, piece in enumerate(piece_keys)}}
    longest = max(map(len, all_keys))
    eojeol_row = {word: i for i, word in enumerate(eojeol)}
    design, targets, weights = [], [], []
    for word, ids in analyses.items():
        if counts[word] < FIT_MIN_COUNT or not ids:
            continue
        cut = segment(word, all_keys, longest, skip_whole=True)
        if cut is None:
            continue
        target = collections.Counter(ids)
        used: collections.Counter = collections.Counter()
        for piece in cut:
            if piece in free:
                used[free[piece]] += 1
            elif piece in eojeol_row:  # a fixed eojeol row: its own analysis
                row = composition.getrow(eojeol_row[piece])
                target.subtract(dict(zip(row.indices.tolist(), row.data.tolist(), strict=True)))
            else:
                target[keys[piece]] -= 1
        if used:
            design.append(used)
            targets.append({column: value for column, value in target.items() if value})
            weights.append(np.sqrt(counts[word]))
    a = _sparse(design, len(piece_keys))
    w = scipy.sparse.diags(np.asarray(weights, dtype=np.float64))
    normal = (a.T @ w @ a + RIDGE * scipy.sparse.identity(len(piece_keys))).tocsc()
    solve = scipy.sparse.linalg.factorized(normal) if piece_keys else None
    rhs = (a.T @ w @ _sparse(targets, len(words))).tocsr()
    return rhs, _columns(solve), len(design)


def _columns(solve):
    """``factorized`` solves one right-hand side: the table's dimensions one by one."""
    if solve is None:
        return None
    return lambda rhs: np.column_stack([solve(np.ascontiguousarray(rhs[:, d])) for d in range(rhs.shape[1])])


def flavour_tokenizer(keys: list[str], unknown: str, raw_text: bool, lowercase: bool):
    """The flavours' ``tokenizer.json``: whitespace-split, each key its row; with ``raw_text`` a
    WordPiece model (a word that is a key is that key, any other is cut into pieces), else a
    word-level one.  Raw text is NFC-normalised (lower-cased too if the corpus was) as the
    tokenize step cleans it, unless a key would change under NFC (a jamo run's)."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    vocabulary = {**{key: i for i, key in enumerate(keys)}, unknown: len(keys)}
    if raw_text:
        model = models.WordPiece(vocabulary, unk_token=unknown, max_input_chars_per_word=MAX_WORD_CHARS)
    else:
        model = models.WordLevel(vocabulary, unk_token=unknown)
    tokenizer = Tokenizer(model)
    steps = [normalizers.NFC()] if all(unicodedata.is_normalized("NFC", key) for key in keys) else []
    if lowercase:
        steps.append(normalizers.Lowercase())
    if raw_text and steps:
        tokenizer.normalizer = normalizers.Sequence(steps)
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return tokenizer
