"""Reading corpora, and the token-count file: one owner for each file format.

Corpus formats: plain text (one document per line), TSV/CSV with a named text column, or JSONL
with a named field, each optionally gzip-compressed (recognised by its magic bytes, not its
name).  Lines are decoded as UTF-8; a bad line stops with its number unless
``invalid_utf8: replace`` is set, which replaces the bad bytes with U+FFFD and counts the lines.

A corpus is read strictly, because a misread corpus trains without a word of complaint: the
first 64 KiB are sniffed for another encoding (a BOM, or the NUL bytes of UTF-16/32 without
one, named by ``charset-normalizer``) and for classic-Mac CR-only line endings; a TSV/CSV row
must have as many fields as the header; a CSV quote must close; a JSONL text must be a string.
Each stops with the file, the line and the fix.
"""

import codecs
import collections
import csv
import gzip
import io
import json
import logging
import random
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from morphvec.runtime import UserInputError, atomic_open, require_file, write_json
from morphvec.schema import SCHEMA_DEFAULT, configured

log = logging.getLogger("morphvec.corpus")

FORMATS = ("txt", "tsv", "csv", "jsonl")

Record = tuple[str, str | None]  # (text, label)


def detect_format(path: str | Path) -> str:
    """The corpus format implied by the file name (``.gz`` is looked through)."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    ext = suffixes[-1].lstrip(".") if suffixes else ""
    by_extension = {"txt": "txt", "text": "txt", "tok": "txt", "tsv": "tsv", "tab": "tsv", "csv": "csv"}
    by_extension.update(jsonl="jsonl", ndjson="jsonl")
    if ext in by_extension:
        return by_extension[ext]
    raise UserInputError(
        f"cannot tell the format of corpus {path} from its name", f"set corpus.format to one of {', '.join(FORMATS)}"
    )


def open_binary(path: Path) -> io.BufferedIOBase:
    """The file's bytes, decompressed if it starts with gzip's magic number."""
    with open(path, "rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rb")
    return open(path, "rb")


GZIP_ERRORS = (gzip.BadGzipFile, EOFError, zlib.error)


def damaged_gzip(path: Path, where: str, error: Exception) -> UserInputError:
    return UserInputError(
        " ".join(filter(None, [f"{path}: the gzip data is damaged", where, f"({error})"])),
        "download or copy the file again; `gzip -t FILE` checks it",
    )


SNIFF_BYTES = 1 << 16
_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32LE"),  # before UTF-16LE, whose BOM is its prefix
    (codecs.BOM_UTF32_BE, "UTF-32BE"),
    (codecs.BOM_UTF16_LE, "UTF-16LE"),
    (codecs.BOM_UTF16_BE, "UTF-16BE"),
)


def likely_encoding(sample: bytes) -> str | None:
    """The encoding ``charset-normalizer`` finds most likely for ``sample`` (None if unsure)."""
    import charset_normalizer

    best = charset_normalizer.from_bytes(sample).best()
    return best.encoding if best is not None else None


def _iconv_name(encoding: str) -> str:
    return encoding.upper().replace("_", "-").replace("UTF-16-", "UTF-16").replace("UTF-32-", "UTF-32")


def wide_encoding(sample: bytes, max_nul_share: float) -> str | None:
    """UTF-16/32 recognised by a BOM, or without one by more NUL bytes than ``max_nul_share``
    (named by ``charset-normalizer``): text that a UTF-8 decoder would accept, wrongly."""
    encoding = next((name for bom, name in _BOMS if sample.startswith(bom)), None)
    if encoding is None and sample.count(b"\x00") > max_nul_share * len(sample):
        encoding = _iconv_name(likely_encoding(sample) or "UTF-16LE")
    return encoding


def not_utf8(path: Path, where: str, encoding: str) -> UserInputError:
    return UserInputError(
        f"{path}: {where + ': ' if where else ''}not UTF-8 text; it looks like {encoding}",
        f"convert it: `iconv -f {encoding} -t UTF-8 {path.name} > {path.stem}.utf8{path.suffix}`",
    )


def check_text_file(path: Path) -> None:
    """Stop on a file that would be misread line by line as UTF-8: another encoding, CR line ends.

    UTF-16 without a BOM decodes as "valid" UTF-8 with a NUL after every ASCII letter (each letter
    would become a token), and a CR-only file reads as one huge document: both pass a UTF-8
    decoder, so they are recognised from the first 64 KiB instead.
    """
    with open_binary(path) as handle:
        try:
            sample = handle.read(SNIFF_BYTES)
        except GZIP_ERRORS as error:
            raise damaged_gzip(path, "in its first 64 KiB", error) from None
    encoding = wide_encoding(sample, max_nul_share=1 / 8)  # a few stray NULs are cleaned and counted
    if encoding is not None:
        raise not_utf8(path, "", encoding)
    if b"\r" in sample and b"\n" not in sample:
        raise UserInputError(
            f"{path}: lines end in CR only (classic Mac line endings), so the file would read as one document",
            f"convert them: `tr '\\r' '\\n' < {path.name} > {path.stem}.lf{path.suffix}`",
        )


def read_utf8(path: Path) -> str:
    """A small text file (an evaluation file) as text: UTF-8, a BOM allowed; anything else stops
    with the line and the encoding it most likely is (UTF-16 would decode to NUL-ridden words that
    match nothing, and the scores would silently cover nothing)."""
    data = path.read_bytes()
    encoding = wide_encoding(data, max_nul_share=0.0)
    if encoding is not None:
        raise not_utf8(path, "line 1", encoding)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise not_utf8(path, f"line {line}", _iconv_name(likely_encoding(data) or "CP949")) from None


def check_utf8(path: Path, fix: str) -> None:
    """Stop on a file that is not UTF-8, naming the line (streamed in 1 MiB blocks)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines_before = 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as error:
                line = lines_before + block.count(b"\n", 0, max(error.start, 0)) + 1
                raise UserInputError(f"{path}: line {line}: invalid UTF-8", fix) from None
            lines_before += block.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise UserInputError(f"{path}: line {lines_before + 1}: invalid UTF-8 at the end of the file", fix) from None


def _numbered_raw_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """``(line number, bytes)``; a damaged gzip stream stops with the line it broke in."""
    number = 0
    try:
        with open_binary(path) as handle:
            for number, raw in enumerate(handle, start=1):
                yield number, raw
    except GZIP_ERRORS as error:
        raise damaged_gzip(path, f"after line {number}", error) from None


def iter_lines(path: Path, invalid_utf8: str, counters: collections.Counter) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, text)`` for each line, decoded as UTF-8 (BOM and EOL stripped)."""
    for number, raw in _numbered_raw_lines(path):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            if invalid_utf8 != "replace":
                guess = likely_encoding(raw)
                named = f"this line looks like {guess}" if guess and guess not in ("ascii", "utf_8") else ""
                raise UserInputError(
                    f"{path}: line {number}: invalid UTF-8 at byte {error.start} of the line "
                    f"({raw[error.start : error.start + 4]!r}){'; ' + named if named else ''}",
                    f"convert the file to UTF-8 (`iconv -f {_iconv_name(guess or 'CP949')} -t UTF-8`), or set "
                    "tokenizer.invalid_utf8: replace to replace bad bytes with U+FFFD (counted in the stats)",
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
            f"{path}: line 1: no column named {column!r}; the header has {header}", f"set {key} to one of these names"
        ) from None


def _csv_rows(lines, path: Path) -> Iterator[tuple[int, list[str]]]:
    """CSV rows with the line each starts on; a quote that never closes is an error, not a swallowed file."""
    reader = csv.reader((line + "\n" for _, line in lines), strict=True)  # quoted fields may span lines
    start = 1
    try:
        for row in reader:
            if row:
                yield start, row
            start = reader.line_num + 1
    except csv.Error as error:
        raise UserInputError(
            f"{path}: line {start}: malformed CSV ({error}); a quote opened here does not close where it should",
            'close the quote, or double quotes inside a quoted field ("")',
        ) from None


def _table_records(lines, fmt: str, path: Path, text_field: str, label_field: str | None) -> Iterator[Record]:
    tsv_rows = ((number, line.split("\t")) for number, line in lines if line)
    rows = tsv_rows if fmt == "tsv" else _csv_rows(lines, path)
    _, header = next(rows, (1, []))
    col = _column_index(header, text_field, path, "corpus.text_column")
    lab = _column_index(header, label_field, path, "corpus.label_column") if label_field else None
    for number, fields in rows:
        if len(fields) != len(header):
            fix = "remove the tab inside the text" if fmt == "tsv" else "quote fields that contain commas"
            raise UserInputError(f"{path}: line {number}: {len(fields)} fields, the header {len(header)}", fix)
        yield fields[col], (fields[lab] if lab is not None else None)


def _jsonl_records(lines, path: Path, text_field: str, label_field: str | None) -> Iterator[Record]:
    for number, line in lines:
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise UserInputError(
                f"{path}: line {number}: not valid JSON ({error.msg} at column {error.colno})",
                "JSONL needs one JSON object per line",
            ) from None
        for field, key in ((text_field, "text_column"), (label_field, "label_column")):
            if field is not None and (not isinstance(record, dict) or field not in record):
                raise UserInputError(
                    f"{path}: line {number}: no field {field!r} in this record",
                    f"set corpus.{key} to the field that holds it",
                )
        yield _jsonl_text(record[text_field], path, number, text_field), _jsonl_label(record, label_field, path, number)


def _jsonl_text(value, path: Path, number: int, field: str) -> str:
    """A JSONL text must be a string (null is an empty document); anything else would be its repr."""
    if value is None or isinstance(value, str):
        return value or ""
    raise UserInputError(
        f"{path}: line {number}: field {field!r} is a JSON {type(value).__name__}, not a string",
        "write the text as a JSON string, or set corpus.text_column to the field that holds the text",
    )


def _jsonl_label(record: dict, field: str | None, path: Path, number: int) -> str | None:
    if field is None or record[field] is None:
        return None
    value = record[field]
    if isinstance(value, (dict, list)):
        raise UserInputError(
            f"{path}: line {number}: label field {field!r} is a JSON {type(value).__name__}",
            "a label is a number or a string",
        )
    return str(value)


@configured("corpus", "tokenizer")
def iter_records(
    path: str | Path,
    *,
    format: str = SCHEMA_DEFAULT,
    text_column: str = SCHEMA_DEFAULT,
    label_column: str | None = SCHEMA_DEFAULT,
    invalid_utf8: str = SCHEMA_DEFAULT,
    counters: collections.Counter | None = None,
) -> Iterator[Record]:
    """Yield ``(text, label)`` for each document of a corpus file, in file order.

    ``label`` is the value of ``label_column`` (e.g. NSMC's ``rating``), or None without one.
    Reader problems counted on the way (replaced invalid UTF-8) go to ``counters``.
    """
    path = require_file(path, "corpus file", "check corpus.path in the config")
    counters = counters if counters is not None else collections.Counter()
    fmt = detect_format(path) if format == "auto" else format
    if fmt not in FORMATS:
        raise UserInputError(f"unknown corpus format {fmt!r}", f"use one of {FORMATS}")
    if label_column is not None and fmt == "txt":
        raise UserInputError(f"{path}: a plain-text corpus has no label column", "remove corpus.label_column")
    check_text_file(path)
    lines = iter_lines(path, invalid_utf8, counters)
    if fmt == "txt":
        return ((line, None) for _, line in lines)
    if fmt in ("tsv", "csv"):
        return _table_records(lines, fmt, path, text_column, label_column)
    return _jsonl_records(lines, path, text_column, label_column)


@configured("corpus", "tokenizer")
def count_documents(
    corpus: str | Path,
    documents: str | Path | None = None,
    *,
    format: str = SCHEMA_DEFAULT,
    text_column: str = SCHEMA_DEFAULT,
    label_column: str | None = SCHEMA_DEFAULT,
    invalid_utf8: str = SCHEMA_DEFAULT,
) -> dict:
    """Count the documents of a corpus, so that tokenization can be split into equal shards.

    Reads the corpus exactly as tokenization does (same formats, same UTF-8 checks), so a bad
    line is reported here first, with its line number.  Writes ``{"corpus", "documents"}``.
    """
    records = iter_records(
        corpus, format=format, text_column=text_column, label_column=label_column, invalid_utf8=invalid_utf8
    )
    result = {"corpus": str(corpus), "documents": sum(1 for _ in records)}
    log.info("%s: %d documents", corpus, result["documents"])
    if documents is not None:
        write_json(documents, result)
    return result


# --- the token-count file: ``token<TAB>count<TAB>tags`` lines, most frequent first -----------
# ``tags`` is ``TAG:count`` for every tag the tokenizer gave the token, most frequent first
# (empty for a tokenizer without tags), so the dominant tag is the first.


def write_token_counts(path: str | Path, counts: collections.Counter) -> None:
    """Counts of ``(token, tag)`` pairs as one line per token, most frequent first (ties by token)."""
    totals: collections.Counter = collections.Counter()
    tags: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for (token, tag), count in counts.items():
        totals[token] += count
        if tag:
            tags[token][tag] += count
    with atomic_open(path) as out:
        for token, count in sorted(totals.items(), key=lambda item: (-item[1], item[0])):
            by_tag = sorted(tags.get(token, {}).items(), key=lambda item: (-item[1], item[0]))
            out.write(f"{token}\t{count}\t{' '.join(f'{tag}:{n}' for tag, n in by_tag)}\n")


def write_word_counts(path: str | Path, counts: collections.Counter) -> None:
    """Counts of untagged words (the corpus' eojeol) in the same format, an empty tags column."""
    with atomic_open(path) as out:
        for word, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            out.write(f"{word}\t{count}\t\n")


def _token_count_rows(path: str | Path) -> Iterator[tuple[str, int, str]]:
    check_utf8(Path(path), "give the file the tokenize step wrote (UTF-8), or rerun tokenization")
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            fields = line.rstrip("\n").split("\t")
            if len(fields) == 2:  # written before the tags column existed
                fields.append("")
            if len(fields) != 3 or not fields[1].isdigit():
                raise UserInputError(
                    f"{path}: line {number}: expected 'token<TAB>count<TAB>tags'", "rerun tokenization"
                )
            yield fields[0], int(fields[1]), fields[2]


def read_token_counts(path: str | Path) -> list[tuple[str, int]]:
    """``(token, count)`` pairs in file order (most frequent first)."""
    return [(token, count) for token, count, _ in _token_count_rows(path)]


def read_token_tags(path: str | Path) -> dict[str, str]:
    """Each tagged token's dominant tag (empty without a tagging tokenizer)."""
    return {token: tags.split(":", 1)[0] for token, _, tags in _token_count_rows(path) if tags}


def read_tagged_counts(path: str | Path) -> collections.Counter:
    """The ``(token, tag)`` counts :func:`write_token_counts` wrote (tag None where untagged)."""
    counts: collections.Counter = collections.Counter()
    for token, count, tags in _token_count_rows(path):
        if not tags:
            counts[token, None] += count
        for entry in tags.split():
            tag, _, n = entry.rpartition(":")
            counts[token, tag] += int(n)
    return counts


# --- samples of a tokenized corpus (one document per line) ----------------------------------


def reservoir_sample(items: Iterable, n: int, rng: random.Random) -> list:
    """A uniform sample of ``n`` items in one pass with bounded memory (reservoir sampling)."""
    reservoir: list = []
    for index, item in enumerate(items):
        if index < n:
            reservoir.append(item)
        else:
            slot = rng.randint(0, index)
            if slot < n:
                reservoir[slot] = item
    return reservoir


def sample_documents(tokens_path: str | Path, n: int, rng: random.Random) -> list[list[str]]:
    """A uniform sample of ``n`` tokenized documents."""
    with open(tokens_path, encoding="utf-8") as handle:
        return [line.split() for line in reservoir_sample(handle, n, rng) if line.split()]
