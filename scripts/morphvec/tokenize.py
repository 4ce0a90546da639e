"""Tokenization: one document per line, tokens joined by single spaces.

Korean is agglutinative, so the default tokenizer splits into MeCab-ko morphemes
(``python-mecab-ko``), not whitespace-separated eojeol; ``kiwi`` uses the Kiwi analyser
(:mod:`morphvec.tokenizers.kiwi`), and a ``whitespace`` tokenizer serves English corpora and the eojeol
baseline.  A tokenizer returns ``(form, tag)`` pairs (tag None when it does not tag); each is a
module of :mod:`morphvec.tokenizers` with one entry in its registry and a name in the schema's
``tokenizer.name`` enum.

What a token looks like in the output is :func:`token_form`: the morpheme, ``form/TAG`` with
``pos``, and with ``unit: jamo`` every syllable decomposed into jamo (:mod:`morphvec.jamo`).  The
token counts keep, for every token, how often each tag produced it, so later steps can tell
content words (nouns, verbs, adjectives, adverbs) from particles and endings.

Every document is cleaned before tokenizing, for hazards measured in python-mecab-ko 1.3.7:

* text after a NUL byte is silently dropped by MeCab -> NUL becomes a space;
* other control characters (U+0001-U+001F, U+007F-U+009F that are not whitespace) would stay
  inside tokens -> each becomes a space;
* a lone surrogate (e.g. ``"\\ud800"`` in JSON) raises ``TypeError`` -> removed;
* BOM and zero-width characters come back as tokens of their own -> removed;
* decomposed (NFD) Hangul is not recombined -> normalised to NFC;
* MeCab's lattice walk is quadratic in line length (1 MiB without spaces takes minutes)
  -> documents longer than ``max_chars`` are tokenized in pieces cut at whitespace.

Output is streamed: documents are read, tokenized (in ``threads`` processes) and written in
bounded batches, so memory does not grow with the corpus.  With ``shards > 1`` each job
tokenizes one contiguous range of documents and :func:`gather_tokens` concatenates them.
"""

import collections
import contextlib
import itertools
import logging
import re
import shutil
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from morphvec import jamo, provenance
from morphvec.corpus import iter_records, read_tagged_counts, read_token_counts, write_token_counts, write_word_counts
from morphvec.runtime import UserInputError, atomic_open, read_json, write_json
from morphvec.schema import SCHEMA_DEFAULT, configured, raise_problems, tokenizer_problems
from morphvec.tokenizers import TOKENIZERS

log = logging.getLogger("morphvec.tokenize")

BATCH_DOCUMENTS = 2000
CLEANING_COUNTERS = (
    "nul_bytes_replaced",
    "control_chars_replaced",
    "surrogates_removed",
    "invisible_chars_removed",
    "nfc_normalised_documents",
    "long_documents_split",
    "invalid_utf8_lines_replaced",
    "spaces_in_tokens_replaced",
)

# Characters MeCab would return as tokens of their own although they carry no text.
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060\u180e"), None)
_SURROGATE = re.compile("[\ud800-\udfff]")
# Control characters that str.split() does not treat as whitespace.
_CONTROL = re.compile("[\x01-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")


def clean_text(text: str, counters: collections.Counter) -> str:
    """Normalise one document: see the module docstring for why each step exists."""
    if "\x00" in text:
        counters["nul_bytes_replaced"] += text.count("\x00")
        text = text.replace("\x00", " ")
    if _CONTROL.search(text):
        text, replaced = _CONTROL.subn(" ", text)
        counters["control_chars_replaced"] += replaced
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


def make_tokenizer(
    name: str, lowercase: bool = False, threads: int = 1
) -> Callable[[str], list[tuple[str, str | None]]]:
    """The tokenizer called ``name`` (config key ``tokenizer.name``, an entry of
    :data:`morphvec.tokenizers.TOKENIZERS`): text -> ``(form, tag)`` pairs; ``threads`` of its
    own for an entry with ``own_threads``."""
    if name not in TOKENIZERS:
        raise UserInputError(f"unknown tokenizer {name!r}", f"use one of {', '.join(TOKENIZERS)}")
    entry = TOKENIZERS[name]
    return entry.create(lowercase, threads if entry.own_threads else 1)


def token_form(form: str, tag: str | None, pos: bool, unit: str) -> str:
    """A token as the model sees it: ``form`` or ``form/TAG``, in syllables or jamo."""
    if unit == "jamo":
        form = jamo.to_jamo(form)
    return f"{form}/{tag}" if pos and tag else form


class Tokenizer:
    """A run's tokenizer: text to the tokens its model was trained on, with the tokenize step's
    own functions (cleaning, ``pos``, ``unit``), so that the eojeol queries of
    :mod:`morphvec.query` cut a word exactly as the corpus was cut."""

    def __init__(self, name: str, pos: bool = False, unit: str = "syllable", lowercase: bool = False) -> None:
        self.name, self.pos, self.unit = name, pos, unit
        self.content_tags = TOKENIZERS[name].content_tags if name in TOKENIZERS else ()
        self._tokenizer = make_tokenizer(name, lowercase)

    def __call__(self, text: str) -> list[tuple[str, str | None]]:
        """``(model token, tag)`` for each morpheme of ``text``."""
        counters: collections.Counter = collections.Counter()
        pairs = self._tokenizer(clean_text(text, counters))
        return [(token_form(_no_spaces(form, counters), tag, self.pos, self.unit), tag) for form, tag in pairs if form]


class CutWords:
    """A run's :class:`Tokenizer` applied ahead of time to a fixed set of words, in a process of
    its own (``spawn``: a fresh interpreter, not a copy of this one), which ends before the
    caller goes on: the report's eojeol protocol needs the morphemes of the evaluation files'
    words only, while Kiwi keeps ~260 MB of its ~500 MB model even after it is deleted (measured,
    kiwipiepy 0.24.1), beside fastText's whole matrix and torch.  Same call as the tokenizer, for
    those words; any other word is an error."""

    def __init__(self, words: Iterable[str], name: str, pos: bool, unit: str, lowercase: bool) -> None:
        import multiprocessing

        self.name = name
        self.content_tags = TOKENIZERS[name].content_tags if name in TOKENIZERS else ()
        unique = sorted(set(words))
        # A spawned child imports the parent's main script as ``__mp_main__``: a step script then
        # runs nothing (runtime.main acts only on ``__main__`` or Snakemake's ``snakemake``, which
        # lives in the job's temporary copy, while ``__file__`` names the script in scripts/).
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        with ProcessPoolExecutor(1, multiprocessing.get_context("spawn")) as pool:
            try:
                self._cut = pool.submit(_cut_words, unique, name, pos, unit, lowercase).result()
            except BrokenProcessPool as error:
                raise worker_died(f"the {name} analyser process (cutting words ahead of time)", error) from None

    @classmethod
    def of_run(cls, words: Iterable[str], corpus: dict) -> "CutWords":
        """``words`` cut as a run's corpus was: ``corpus`` is its tokenize step's statistics."""
        unit, pos, lowercase = corpus.get("unit", "syllable"), corpus.get("pos", False), corpus.get("lowercase", False)
        return cls(words, corpus["tokenizer"], pos, unit, lowercase)

    def __call__(self, word: str) -> list[tuple[str, str | None]]:
        try:
            return self._cut[word]
        except KeyError:  # not KeyError: to a vector lookup that means "no vector", a silent miss
            raise RuntimeError(f"{word!r} was not cut ahead of time ({len(self._cut):,} words were)") from None


def _cut_words(words: list[str], name: str, pos: bool, unit: str, lowercase: bool) -> dict:
    tokenizer = Tokenizer(name, pos, unit, lowercase)
    return {word: tokenizer(word) for word in words}


def _no_spaces(form: str, counters: collections.Counter) -> str:
    """Tokens are space-separated, so a form holding whitespace (an analyser may return one) gets ``_``."""
    if " " in form or "\t" in form:
        counters["spaces_in_tokens_replaced"] += 1
        return "_".join(form.split())
    return form


def tokenize_batch(
    records: list[tuple[str, str | None]],
    tokenizer: Callable[[str], list[tuple[str, str | None]]],
    max_chars: int,
    with_labels: bool,
    pos: bool = False,
    unit: str = "syllable",
) -> tuple[str, collections.Counter, collections.Counter, str, collections.Counter]:
    """Tokenize a batch of ``(raw text, label)`` records.

    Returns the output block (one line per kept document), event counters, ``(token, tag)``
    counts, the labels of the kept documents (one per line; empty unless ``with_labels``), and
    the counts of the documents' eojeol (whitespace tokens of the cleaned text).
    """
    counters: collections.Counter = collections.Counter()
    types: collections.Counter = collections.Counter()
    eojeols: collections.Counter = collections.Counter()
    out_lines = []
    kept_labels = []
    pieces, piece_counts = [], []
    for raw, _ in records:
        text = clean_text(raw, counters)
        eojeols.update(text.split())
        cut = split_long_text(text, max_chars)
        if len(cut) > 1:
            counters["long_documents_split"] += 1
        pieces.extend(cut)
        piece_counts.append(len(cut))
    # The whole batch in one call: a tokenizer with threads of its own (``many``) spreads it over them.
    many = getattr(tokenizer, "many", None)
    analysed = iter(many(pieces) if many is not None else map(tokenizer, pieces))
    for (_, label), count in zip(records, piece_counts, strict=True):
        tagged = [
            (token_form(_no_spaces(form, counters), tag, pos, unit), tag)
            for pairs in itertools.islice(analysed, count)
            for form, tag in pairs
            if form
        ]
        if not tagged:
            counters["dropped_empty"] += 1
            continue
        types.update(tagged)
        tokens = [token for token, _ in tagged]
        counters["tokens"] += len(tokens)
        out_lines.append(" ".join(tokens))
        if with_labels:
            kept_labels.append(" ".join(str(label).split()))
    counters["documents_written"] += len(out_lines)
    label_block = "".join(label + "\n" for label in kept_labels)
    return "".join(line + "\n" for line in out_lines), counters, types, label_block, eojeols


# Per-process state for the worker pool.
_worker_tokenizer: Callable[[str], list[str]] | None = None


def _init_worker(name: str, lowercase: bool) -> None:
    """A worker's tokenizer.  A failure is kept and raised by the worker's first batch, so that it
    reaches the parent as that batch's error: an initializer's own failure would print its
    traceback from the worker and break the pool without saying why."""
    global _worker_tokenizer
    try:
        _worker_tokenizer = make_tokenizer(name, lowercase)
    except Exception as error:
        _worker_tokenizer = error


def _tokenize_in_worker(records: list[tuple[str, str | None]], max_chars: int, with_labels: bool, pos: bool, unit: str):
    if isinstance(_worker_tokenizer, Exception):
        raise _worker_tokenizer
    return tokenize_batch(records, _worker_tokenizer, max_chars, with_labels, pos, unit)


def worker_died(what: str, error: BaseException) -> UserInputError:
    """A child process that died (killed for memory, a crash in compiled code) as one message;
    ``concurrent.futures`` says so (``BrokenProcessPool``) where ``multiprocessing.Pool`` would
    wait forever for the lost task."""
    return UserInputError(
        f"{what} died before it finished ({error})",
        "a process killed by the system usually ran out of memory: give the job more memory (resources "
        "mem_mb) or use fewer tokenizer workers (tokenizer.threads), then rerun",
    )


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _tokenized_blocks(batches, tokenizer_name, lowercase, max_chars, workers, with_labels, pos, unit):
    """Yield tokenize_batch results in input order: in ``workers`` processes with at most a few
    batches in flight, or in this process for one worker or a tokenizer with threads of its own
    (then ``workers`` of them, over one model in memory)."""
    if workers <= 1 or TOKENIZERS[tokenizer_name].own_threads:
        tokenizer = make_tokenizer(tokenizer_name, lowercase, threads=max(1, workers))
        for batch in batches:
            yield tokenize_batch(batch, tokenizer, max_chars, with_labels, pos, unit)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("spawn" if sys.platform == "darwin" else "fork")
    in_flight: collections.deque = collections.deque()
    pool = ProcessPoolExecutor(workers, context, _init_worker, (tokenizer_name, lowercase))
    try:
        for batch in batches:
            in_flight.append(pool.submit(_tokenize_in_worker, batch, max_chars, with_labels, pos, unit))
            if len(in_flight) >= 4 * workers:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()
    except BrokenProcessPool as error:
        raise worker_died(f"a {tokenizer_name} tokenizer worker", error) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _document_range(
    documents: Iterator, start: int, end: int, counters: collections.Counter, total: int, where: str
) -> Iterator:
    """Records ``start`` to ``end - 1``; ``counters`` keeps only what reading them counted.

    The reader counts (e.g. replaced invalid UTF-8) as it reads, so a snapshot is taken just
    before document ``start`` is read and subtracted at the end, and reading stops right after
    document ``end - 1``.  A corpus with fewer documents than its count (``total``), or the last
    shard's corpus with more, no longer matches the count that split it: an error, not a shard
    of the wrong documents.
    """
    before: collections.Counter = collections.Counter()
    seen = 0
    if start < end:
        for index, document in enumerate(documents):
            if index == start - 1:
                before = counters.copy()
            if index >= start:
                seen += 1
                yield document
                if index == end - 1:
                    break
    more = end == total and next(iter(documents), None) is not None
    if seen < end - start or more:
        raise UserInputError(
            f"{where}: the document count says {total:,} documents, but the corpus has "
            f"{'more' if more else f'{start + seen:,}'}: it changed after it was counted",
            "rerun the count: `snakemake --forcerun count_documents` (or delete tokenize_corpus/documents.json)",
        )
    counters.subtract(before)


def _shard_range(shard: int, shards: int, documents: str | Path | None) -> tuple[int, int, int] | None:
    """Documents ``[start, end)`` of shard ``shard`` and the count: contiguous, near-equal ranges;
    None for one shard."""
    if shards <= 1 and not shard:
        return None
    if documents is None or not 0 <= shard < shards:
        raise UserInputError(f"shard {shard} of {shards} needs 0 <= shard < shards and the document count")
    total = read_json(documents)["documents"]
    return shard * total // shards, (shard + 1) * total // shards, total


def _counted(records: Iterable, counters: collections.Counter) -> Iterator:
    for record in records:
        counters["documents"] += 1
        yield record


def _token_stats(corpus, name, lowercase, pos, unit, counters, types, threads, shard, shards) -> dict:
    return {
        "corpus": str(corpus),
        "tokenizer": name,
        "lowercase": lowercase,
        "pos": pos,
        "unit": unit,
        "documents": counters["documents"],
        "documents_written": counters["documents_written"],
        "dropped_empty": counters["dropped_empty"],
        "tokens": counters["tokens"],
        "types": len({token for token, _ in types}),
        "workers": threads,
        "shard": shard,
        "shards": shards,
        "cleaning": {key: counters[key] for key in CLEANING_COUNTERS},
    }


@configured("corpus", "tokenizer")
def tokenize_corpus(
    corpus: str | Path,
    tokens: str | Path,
    token_stats: str | Path | None = None,
    token_counts: str | Path | None = None,
    labels: str | Path | None = None,
    documents: str | Path | None = None,
    eojeol_counts: str | Path | None = None,
    *,
    shard: int = 0,
    shards: int = 1,
    format: str = SCHEMA_DEFAULT,
    text_column: str = SCHEMA_DEFAULT,
    label_column: str | None = SCHEMA_DEFAULT,
    name: str = SCHEMA_DEFAULT,
    lowercase: bool = SCHEMA_DEFAULT,
    pos: bool = SCHEMA_DEFAULT,
    unit: str = SCHEMA_DEFAULT,
    max_chars: int = SCHEMA_DEFAULT,
    invalid_utf8: str = SCHEMA_DEFAULT,
    threads: int = SCHEMA_DEFAULT,
) -> dict:
    """Tokenize a corpus into one document per line; write and return the token statistics.

    With ``shards > 1`` only shard number ``shard`` is tokenized: the ``shard``-th of ``shards``
    contiguous, near-equal ranges of the documents counted in ``documents`` (the
    count_documents output), so that the shards' outputs concatenated in order equal the
    unsharded output byte for byte.  ``pos`` writes ``form/TAG`` tokens and ``unit: jamo`` jamo
    (see :func:`token_form`).  ``token_counts`` receives ``token<TAB>count<TAB>tags`` lines;
    ``labels`` each kept document's ``label_column`` value, line by line (empty without a label
    column, so that a workflow can always name the file); ``eojeol_counts`` the documents'
    whitespace tokens (eojeol) in the same format, untagged: the eojeol analogy protocol's
    candidates (:func:`morphvec.evaluation.eojeol_candidates`).
    """
    raise_problems(tokenizer_problems({"name": name, "pos": pos, "unit": unit}))
    shard = int(shard)
    started = time.perf_counter()
    read_counters: collections.Counter = collections.Counter()
    counters: collections.Counter = collections.Counter()
    types: collections.Counter = collections.Counter()
    eojeols: collections.Counter = collections.Counter()
    records = iter_records(
        corpus,
        format=format,
        text_column=text_column,
        label_column=label_column,
        invalid_utf8=invalid_utf8,
        counters=read_counters,
    )
    selected = _shard_range(shard, shards, documents)
    if selected is not None:
        start, end, total = selected
        records = _document_range(records, start, end, read_counters, total, str(documents))
    batches = _batches(_counted(records, read_counters), BATCH_DOCUMENTS)
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(atomic_open(tokens))
        label_out = stack.enter_context(atomic_open(labels)) if labels is not None else None
        with_labels = label_out is not None and label_column is not None
        blocks = _tokenized_blocks(batches, name, lowercase, max_chars, threads, with_labels, pos, unit)
        for block, batch_counters, batch_types, label_block, batch_eojeols in blocks:
            out.write(block)
            if label_out is not None:
                label_out.write(label_block)
            counters.update(batch_counters)
            types.update(batch_types)
            eojeols.update(batch_eojeols)
    counters.update(read_counters)
    stats = _token_stats(corpus, name, lowercase, pos, unit, counters, types, threads, shard, shards)
    if shard == 0:  # what was read, checked once per corpus (the report and manifest name it)
        stats["corpus_file"] = provenance.file_record(corpus)
    log.info(
        "tokenized %d documents (%d dropped as empty): %d tokens, %d types in %.1f s",
        stats["documents"],
        stats["dropped_empty"],
        stats["tokens"],
        stats["types"],
        time.perf_counter() - started,
    )
    if token_counts is not None:
        write_token_counts(token_counts, types)
    if eojeol_counts is not None:
        write_word_counts(eojeol_counts, eojeols)
    if token_stats is not None:
        write_json(token_stats, stats)
    return stats


# --- gathering shards ----------------------------------------------------------------------

SUMMED = ("documents", "documents_written", "dropped_empty", "tokens")


def _concatenate(sources: list[str | Path], target: str | Path) -> None:
    with atomic_open(target, "wb") as out:
        for path in sources:
            with open(path, "rb") as shard:
                shutil.copyfileobj(shard, out, 1 << 20)


def gather_tokens(
    shard_tokens: list[str | Path],
    shard_stats: list[str | Path],
    shard_counts: list[str | Path],
    shard_labels: list[str | Path],
    shard_eojeols: list[str | Path],
    tokens: str | Path,
    token_stats: str | Path,
    token_counts: str | Path,
    labels: str | Path,
    eojeol_counts: str | Path,
) -> dict:
    """Gather tokenized shards, in order, into one token file with merged statistics.

    The shards are contiguous ranges of the corpus, so their concatenation is byte-identical to
    tokenizing the corpus in one piece; the statistics are summed, and the number of token
    types is recounted from the merged token counts.  (Files are copied, not hard-linked: a
    link would share the shard's modification time, older than the shard's later files, and
    Snakemake would flag it.)
    """
    stats = [read_json(path) for path in shard_stats]
    _concatenate(shard_tokens, tokens)
    _concatenate(shard_labels, labels)
    counts: collections.Counter = collections.Counter()
    for path in shard_counts:
        counts.update(read_tagged_counts(path))
    write_token_counts(token_counts, counts)
    eojeols: collections.Counter = collections.Counter()
    for path in shard_eojeols:
        eojeols.update(dict(read_token_counts(path)))
    write_word_counts(eojeol_counts, eojeols)
    merged = {key: value for key, value in stats[0].items() if key != "shard"}
    merged.update({key: sum(s[key] for s in stats) for key in SUMMED})
    merged["types"] = len({token for token, _ in counts})
    merged["shards"] = len(stats)
    merged["cleaning"] = {key: sum(s["cleaning"][key] for s in stats) for key in stats[0]["cleaning"]}
    write_json(token_stats, merged)
    log.info(
        "gathered %d shard(s): %d documents, %d tokens, %d types",
        len(stats),
        merged["documents"],
        merged["tokens"],
        merged["types"],
    )
    return merged
