"""Tokenize a raw corpus into one document per line, tokens joined by single spaces.

Korean is agglutinative, so the default tokenizer splits into MeCab-ko morphemes
(``python-mecab-ko``), not whitespace-separated eojeol; a ``whitespace`` tokenizer serves English
corpora and the eojeol baseline.

Input: plain text (one document per line), TSV/CSV with a named text column, or JSONL with a
named field, each optionally gzip-compressed.  Every document is cleaned before tokenizing, for
hazards measured in python-mecab-ko 1.3.7:

* text after a NUL byte is silently dropped by MeCab -> NUL becomes a space;
* a lone surrogate (e.g. ``"\\ud800"`` in JSON) raises ``TypeError`` -> removed;
* BOM and zero-width characters come back as tokens of their own -> removed;
* decomposed (NFD) Hangul is not recombined -> normalised to NFC;
* MeCab's lattice walk is quadratic in line length (1 MiB without spaces takes minutes)
  -> documents longer than ``max_chars`` are tokenized in pieces cut at whitespace.

Output is streamed: documents are read, tokenized (in ``workers`` processes) and written in
bounded batches, so memory does not grow with the corpus.
"""

import argparse
import collections
import contextlib
import csv
import gzip
import io
import json
import logging
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from pipeline_io import (
    UserInputError,
    atomic_open,
    read_json,
    require_file,
    run_step,
    snakemake_log,
    write_json,
)

log = logging.getLogger("morphvec.tokenize")

FORMATS = ("txt", "tsv", "csv", "jsonl")
TOKENIZERS = ("mecab", "whitespace")
INVALID_UTF8_POLICIES = ("error", "replace")
BATCH_DOCUMENTS = 2000

# Characters MeCab would return as tokens of their own although they carry no text.
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060\u180e"), None)
_SURROGATE = re.compile("[\ud800-\udfff]")


# --- reading -------------------------------------------------------------------------------


def detect_format(path: str | Path) -> str:
    """The corpus format implied by the file name (``.gz`` is looked through)."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    ext = suffixes[-1].lstrip(".") if suffixes else ""
    if ext in ("txt", "text", "tok"):
        return "txt"
    if ext in ("tsv", "tab"):
        return "tsv"
    if ext == "csv":
        return "csv"
    if ext in ("jsonl", "ndjson"):
        return "jsonl"
    raise UserInputError(
        f"cannot tell the format of corpus {path} from its name\n"
        f"  fix: set corpus.format to one of {', '.join(FORMATS)}"
    )


def _open_binary(path: Path) -> io.BufferedIOBase:
    with open(path, "rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rb")
    return open(path, "rb")


def iter_lines(path: Path, invalid_utf8: str, counters: collections.Counter) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, text)`` for each line, decoded as UTF-8 (BOM and EOL stripped)."""
    with _open_binary(path) as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                if invalid_utf8 != "replace":
                    raise UserInputError(
                        f"{path}: line {number}: invalid UTF-8 at byte {error.start} of the line "
                        f"({raw[error.start : error.start + 4]!r})\n"
                        "  fix: convert the file to UTF-8 (e.g. `iconv -f CP949 -t UTF-8`), or set "
                        "tokenizer.invalid_utf8: replace to replace bad bytes with U+FFFD"
                    ) from None
                line = raw.decode("utf-8", errors="replace")
                counters["invalid_utf8_lines_replaced"] += 1
            if number == 1:
                line = line.removeprefix("\ufeff")
            yield number, line.rstrip("\r\n")


def _column_index(header: list[str], column: str, path: Path, key: str) -> int:
    try:
        return header.index(column)
    except ValueError:
        raise UserInputError(
            f"{path}: line 1: no column named {column!r}; the header has {header}\n"
            f"  fix: set {key} to one of these names"
        ) from None


def iter_records(
    path: str | Path,
    fmt: str = "auto",
    text_field: str = "text",
    invalid_utf8: str = "error",
    counters: collections.Counter | None = None,
    label_field: str | None = None,
) -> Iterator[tuple[str, str | None]]:
    """Yield ``(text, label)`` for each document of a corpus file, in file order.

    ``label`` is the value of ``label_field`` (e.g. NSMC's ``rating``), or None without one.
    """
    path = require_file(path, "corpus file", "check corpus.path in the config")
    counters = counters if counters is not None else collections.Counter()
    fmt = detect_format(path) if fmt == "auto" else fmt
    if fmt not in FORMATS:
        raise UserInputError(f"unknown corpus format {fmt!r}\n  fix: use one of {FORMATS}")
    if label_field is not None and fmt == "txt":
        raise UserInputError(f"{path}: a plain-text corpus has no label column\n  fix: remove corpus.label_column")
    lines = iter_lines(path, invalid_utf8, counters)
    if fmt == "txt":
        for _, line in lines:
            yield line, None
    elif fmt in ("tsv", "csv"):
        if fmt == "tsv":
            _, first = next(lines, (1, ""))
            header = first.split("\t")
            rows = ((number, line.split("\t")) for number, line in lines if line)
        else:
            reader = csv.reader(line + "\n" for _, line in lines)  # quoted fields may span lines
            header = next(reader, [])
            rows = ((reader.line_num, row) for row in reader if row)
        col = _column_index(header, text_field, path, "corpus.text_column")
        lab = _column_index(header, label_field, path, "corpus.label_column") if label_field else None
        needed = max(col, lab or 0)
        for number, fields in rows:
            if len(fields) <= needed:
                raise UserInputError(
                    f"{path}: line {number}: {len(fields)} fields, but the columns read need {needed + 1}\n"
                    "  fix: repair the row (quote CSV fields that contain commas)"
                )
            yield fields[col], (fields[lab] if lab is not None else None)
    else:  # jsonl
        for number, line in lines:
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise UserInputError(
                    f"{path}: line {number}: not valid JSON ({error.msg} at column {error.colno})\n"
                    "  fix: JSONL needs one JSON object per line"
                ) from None
            for field, key in ((text_field, "text_column"), (label_field, "label_column")):
                if field is not None and (not isinstance(record, dict) or field not in record):
                    raise UserInputError(
                        f"{path}: line {number}: no field {field!r} in this record\n"
                        f"  fix: set corpus.{key} to the field that holds it"
                    )
            value = record[text_field]
            label = record[label_field] if label_field else None
            yield ("" if value is None else str(value)), (None if label is None else str(label))


def iter_documents(
    path: str | Path,
    fmt: str = "auto",
    text_field: str = "text",
    invalid_utf8: str = "error",
    counters: collections.Counter | None = None,
) -> Iterator[str]:
    """Yield the raw text of each document of a corpus file, in file order."""
    for text, _ in iter_records(path, fmt, text_field, invalid_utf8, counters):
        yield text


# --- cleaning and tokenizing ---------------------------------------------------------------


def clean_text(text: str, counters: collections.Counter) -> str:
    """Normalise one document: see the module docstring for why each step exists."""
    if "\x00" in text:
        counters["nul_bytes_replaced"] += text.count("\x00")
        text = text.replace("\x00", " ")
    if _SURROGATE.search(text):
        counters["surrogates_removed"] += len(_SURROGATE.findall(text))
        text = _SURROGATE.sub("", text)
    stripped = text.translate(_INVISIBLE)
    if len(stripped) != len(text):
        counters["invisible_chars_removed"] += len(text) - len(stripped)
        text = stripped
    if not unicodedata.is_normalized("NFC", text):
        counters["nfc_normalised_documents"] += 1
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


def split_long_text(text: str, max_chars: int) -> list[str]:
    """Cut ``text`` into pieces of at most ``max_chars``, at spaces where there are any.

    MeCab never joins a morpheme across a space, so cutting at spaces changes nothing in the
    output; only a run of more than ``max_chars`` characters without spaces is cut hard.
    """
    if len(text) <= max_chars:
        return [text]
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for word in text.split(" "):
        while len(word) > max_chars:
            if current:
                pieces.append(" ".join(current))
                current, size = [], 0
            pieces.append(word[:max_chars])
            word = word[max_chars:]
        if size + len(word) + bool(current) > max_chars:
            pieces.append(" ".join(current))
            current, size = [], 0
        current.append(word)
        size += len(word) + (len(current) > 1)
    if current:
        pieces.append(" ".join(current))
    return pieces


class MecabTokenizer:
    """MeCab-ko morphemes, read from MeCab's own text output.

    ``MeCab().morphs()`` builds a ``Morpheme`` with parsed features for every token; here one
    reusable lattice is parsed and the surfaces are cut from ``to_string()`` (one
    ``surface<TAB>features`` line per morpheme, then ``EOS``).  The output is identical (tested)
    at about half the cost of ``morphs()``.  Documents never contain tabs or newlines here:
    ``clean_text`` collapses all whitespace to single spaces.
    """

    def __init__(self) -> None:
        import _mecab
        from mecab import MeCab

        self._tagger = MeCab()._tagger
        self._lattice = _mecab.Lattice()
        self._lattice.add_request_type(_mecab.MECAB_ALLOCATE_SENTENCE)

    def __call__(self, text: str) -> list[str]:
        lattice = self._lattice
        lattice.set_sentence(text)
        if not self._tagger.parse(lattice):  # pragma: no cover - MeCab reports no such case
            raise RuntimeError(f"MeCab failed: {self._tagger.what()}")
        lines = lattice.to_string().split("\n")
        return [line.split("\t", 1)[0] for line in lines[:-2]]  # drop "EOS" and the final ""


class WhitespaceTokenizer:
    """Whitespace-separated words (eojeol for Korean), optionally lower-cased."""

    def __init__(self, lowercase: bool = False) -> None:
        self.lowercase = lowercase

    def __call__(self, text: str) -> list[str]:
        return (text.lower() if self.lowercase else text).split()


def make_tokenizer(name: str, lowercase: bool = False) -> Callable[[str], list[str]]:
    if name == "mecab":
        tokenizer = MecabTokenizer()
        if lowercase:
            return lambda text: tokenizer(text.lower())
        return tokenizer
    if name == "whitespace":
        return WhitespaceTokenizer(lowercase)
    raise UserInputError(f"unknown tokenizer {name!r}\n  fix: use one of {TOKENIZERS}")


def tokenize_batch(
    records: list[tuple[str, str | None]], tokenizer: Callable[[str], list[str]], max_chars: int, with_labels: bool
) -> tuple[str, collections.Counter, collections.Counter, str]:
    """Tokenize a batch of ``(raw text, label)`` records.

    Returns the output block (one line per kept document), event counters, token counts, and
    the labels of the kept documents (one per line; empty unless ``with_labels``).
    """
    counters: collections.Counter = collections.Counter()
    types: collections.Counter = collections.Counter()
    out_lines = []
    kept_labels = []
    for raw, label in records:
        text = clean_text(raw, counters)
        pieces = split_long_text(text, max_chars)
        if len(pieces) > 1:
            counters["long_documents_split"] += 1
        tokens = [token for piece in pieces for token in tokenizer(piece)]
        if not tokens:
            counters["dropped_empty"] += 1
            continue
        types.update(tokens)
        counters["tokens"] += len(tokens)
        out_lines.append(" ".join(tokens))
        if with_labels:
            kept_labels.append(" ".join(str(label).split()))
    counters["documents_written"] += len(out_lines)
    label_block = "".join(label + "\n" for label in kept_labels)
    return "".join(line + "\n" for line in out_lines), counters, types, label_block


# Per-process state for the worker pool.
_worker_tokenizer: Callable[[str], list[str]] | None = None


def _init_worker(name: str, lowercase: bool) -> None:
    global _worker_tokenizer
    _worker_tokenizer = make_tokenizer(name, lowercase)


def _tokenize_in_worker(records: list[tuple[str, str | None]], max_chars: int, with_labels: bool):
    return tokenize_batch(records, _worker_tokenizer, max_chars, with_labels)


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _tokenized_blocks(batches, tokenizer_name, lowercase, max_chars, workers, with_labels):
    """Yield tokenize_batch results in input order, with at most a few batches in flight."""
    if workers <= 1:
        tokenizer = make_tokenizer(tokenizer_name, lowercase)
        for batch in batches:
            yield tokenize_batch(batch, tokenizer, max_chars, with_labels)
        return
    import multiprocessing

    context = multiprocessing.get_context("spawn" if sys.platform == "darwin" else "fork")
    in_flight: collections.deque = collections.deque()
    with context.Pool(workers, _init_worker, (tokenizer_name, lowercase)) as pool:
        for batch in batches:
            in_flight.append(pool.apply_async(_tokenize_in_worker, (batch, max_chars, with_labels)))
            if len(in_flight) >= 4 * workers:
                yield in_flight.popleft().get()
        while in_flight:
            yield in_flight.popleft().get()


def _document_range(documents: Iterator, start: int, end: int, counters: collections.Counter) -> Iterator:
    """Records ``start`` to ``end - 1``; ``counters`` keeps only what reading them counted.

    The reader counts (e.g. replaced invalid UTF-8) as it reads, so a snapshot is taken just
    before document ``start`` is read and subtracted at the end, and reading stops right after
    document ``end - 1``.
    """
    before: collections.Counter = collections.Counter()
    if start < end:
        for index, document in enumerate(documents):
            if index == start - 1:
                before = counters.copy()
            if index >= start:
                yield document
                if index == end - 1:
                    break
    counters.subtract(before)


def write_counts(path: str | Path, counts: collections.Counter) -> None:
    """Token counts as ``token<TAB>count`` lines, most frequent first (ties by token)."""
    with atomic_open(path) as out:
        for token, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            out.write(f"{token}\t{count}\n")


def tokenize_corpus(
    corpus: str | Path,
    tokens_out: str | Path,
    stats_out: str | Path | None = None,
    *,
    fmt: str = "auto",
    text_column: str = "text",
    tokenizer: str = "mecab",
    lowercase: bool = False,
    max_chars: int = 5000,
    invalid_utf8: str = "error",
    workers: int = 1,
    shard: int = 0,
    shards: int = 1,
    total_documents: int | None = None,
    counts_out: str | Path | None = None,
    label_column: str | None = None,
    labels_out: str | Path | None = None,
) -> dict:
    """Tokenize ``corpus`` into ``tokens_out``; write and return the token statistics.

    With ``shards > 1`` only shard number ``shard`` is tokenized: the ``shard``-th of ``shards``
    contiguous, near-equal ranges of the corpus's ``total_documents`` documents, so that the
    shards' outputs concatenated in order equal the unsharded output byte for byte.
    ``counts_out`` receives the token counts (``token<TAB>count``), which the gather step merges.
    ``labels_out`` receives each kept document's ``label_column`` value, line by line (and stays
    empty without a label column, so that a workflow can always name the file).
    """
    if invalid_utf8 not in INVALID_UTF8_POLICIES:
        raise UserInputError(f"unknown invalid_utf8 policy {invalid_utf8!r}\n  fix: use one of {INVALID_UTF8_POLICIES}")
    if max_chars < 1:
        raise UserInputError(f"max_chars must be at least 1, got {max_chars}")
    if tokenizer not in TOKENIZERS:
        raise UserInputError(f"unknown tokenizer {tokenizer!r}\n  fix: use one of {TOKENIZERS}")
    started = time.perf_counter()
    read_counters: collections.Counter = collections.Counter()
    counters: collections.Counter = collections.Counter()
    types: collections.Counter = collections.Counter()
    documents = iter_records(corpus, fmt, text_column, invalid_utf8, read_counters, label_column)
    if shards > 1 or shard:
        if total_documents is None or not 0 <= shard < shards:
            raise UserInputError(f"shard {shard} of {shards} needs 0 <= shard < shards and the document count")
        start, end = shard * total_documents // shards, (shard + 1) * total_documents // shards
        documents = _document_range(documents, start, end, read_counters)

    def counted(docs: Iterable) -> Iterator:
        for doc in docs:
            read_counters["documents"] += 1
            yield doc

    batches = _batches(counted(documents), BATCH_DOCUMENTS)
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(atomic_open(tokens_out))
        labels = stack.enter_context(atomic_open(labels_out)) if labels_out is not None else None
        with_labels = labels is not None and label_column is not None
        blocks = _tokenized_blocks(batches, tokenizer, lowercase, max_chars, workers, with_labels)
        for block, batch_counters, batch_types, label_block in blocks:
            out.write(block)
            if labels is not None:
                labels.write(label_block)
            counters.update(batch_counters)
            types.update(batch_types)
    counters.update(read_counters)
    stats = {
        "corpus": str(corpus),
        "tokenizer": tokenizer,
        "lowercase": lowercase,
        "documents": counters["documents"],
        "documents_written": counters["documents_written"],
        "dropped_empty": counters["dropped_empty"],
        "tokens": counters["tokens"],
        "types": len(types),
        "seconds": round(time.perf_counter() - started, 3),
        "workers": workers,
        "shard": shard,
        "shards": shards,
        "cleaning": {
            key: counters[key]
            for key in (
                "nul_bytes_replaced",
                "surrogates_removed",
                "invisible_chars_removed",
                "nfc_normalised_documents",
                "long_documents_split",
                "invalid_utf8_lines_replaced",
            )
        },
    }
    log.info(
        "tokenized %d documents (%d dropped as empty): %d tokens, %d types in %.1f s",
        stats["documents"],
        stats["dropped_empty"],
        stats["tokens"],
        stats["types"],
        stats["seconds"],
    )
    if counts_out is not None:
        write_counts(counts_out, types)
    if stats_out is not None:
        write_json(stats_out, stats)
    return stats


# --- entry points --------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", help="corpus file (.txt, .tsv, .csv, .jsonl; optionally .gz)")
    parser.add_argument("tokens_out", help="output: one document per line, tokens space-joined")
    parser.add_argument("--stats", help="output: token statistics as JSON")
    parser.add_argument("--format", dest="fmt", default="auto", choices=("auto", *FORMATS))
    parser.add_argument("--text-column", default="text", help="TSV/CSV column or JSONL field")
    parser.add_argument("--tokenizer", default="mecab", choices=TOKENIZERS)
    parser.add_argument("--lowercase", action="store_true")
    parser.add_argument("--max-chars", type=int, default=5000, help="split longer documents")
    parser.add_argument("--invalid-utf8", default="error", choices=INVALID_UTF8_POLICIES)
    parser.add_argument("--workers", type=int, default=1, help="tokenizer processes")
    parser.add_argument("--counts", dest="counts_out", help="output: token counts (token<TAB>count)")
    parser.add_argument("--label-column", help="TSV/CSV column or JSONL field with a label (e.g. rating)")
    parser.add_argument("--labels", dest="labels_out", help="output: the label of each kept document")
    parser.add_argument("--shard", type=int, default=0, help="which shard to tokenize (from 0)")
    parser.add_argument("--shards", type=int, default=1, help="number of shards")
    parser.add_argument("--total-documents", type=int, help="documents in the corpus (needed with --shards)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    options = vars(args)
    corpus, tokens_out, stats = options.pop("corpus"), options.pop("tokens_out"), options.pop("stats")
    return run_step(lambda: tokenize_corpus(corpus, tokens_out, stats, **options))


def _snakemake_step(sm) -> None:
    total = read_json(sm.input.document_count)["documents"] if sm.input.get("document_count") else None
    tokenize_corpus(
        sm.input.corpus,
        sm.output.tokens,
        sm.output.stats,
        workers=sm.threads,
        shard=int(sm.wildcards.shard),
        shards=sm.params.shards,
        total_documents=total,
        counts_out=sm.output.counts,
        labels_out=sm.output.get("labels"),
        **sm.params.options,
    )


if "snakemake" in globals():
    sm = globals()["snakemake"]
    sys.exit(run_step(lambda: _snakemake_step(sm), snakemake_log(sm)))
elif __name__ == "__main__":
    sys.exit(main())
