"""morphvec benchmarks: every step against the raw library doing the same work, in the same run.

    bench/run            # full NSMC corpus from ../shared, medians of 3 -> BENCHMARKS.md + plots
    bench/run --quick    # a 50k-review slice, one repetition, < 3 minutes; last line is JSON

Each measurement runs in a fresh Python process (``--task``), so its wall time and peak memory
(``wait4``'s ``ru_maxrss``, which covers the process and the children it waited for) are its
own.  Results are ratios of morphvec's step to the raw library call measured in the same run,
because these machines are noisy.
"""

import argparse
import contextlib
import gzip
import itertools
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = REPO / "scripts"
sys.path.insert(0, str(SCRIPTS))
from report_benchmarks import AFTER_TRAINING  # noqa: E402 (bench/, beside this file)

from morphvec import layout  # noqa: E402 (after the path that holds it)
from morphvec.tokenizers import tokenizer_entry  # noqa: E402

FULL_CORPUS = REPO.parent / "shared" / "data" / "nsmc_reviews.tsv.gz"
WS353 = REPO / "resources" / "eval" / "WS353_korean.csv"
RECOMMENDED = REPO / "config" / "full_nsmc.yaml"  # what the README tells users to run
# The reference settings of the issue: skipgram, dim 100, epoch 5, 2 threads.
FASTTEXT = {"model": "skipgram", "dim": 100, "epoch": 5, "minCount": 5, "bucket": 2000000, "thread": 2}
QUICK_FASTTEXT = {**FASTTEXT, "bucket": 200000}
# What write_report imports (parity across the three libraries, quality, probe, plots, page).
REPORT_LIBRARIES = (
    "numpy",
    "gensim",
    "torch",
    "fasttext",
    "sklearn.linear_model",
    "matplotlib.pyplot",
    "koreanize_matplotlib",
    "jinja2",
    "fontTools.subset",
)


# --- tasks: each runs in its own process and prints one JSON object --------------------------


def task_tokenize_raw(corpus: str, out: str) -> dict:
    """The raw fast loop: MeCab-ko, surfaces read off the lattice, one process."""
    from mecab import MeCab
    from mecab.utils import create_lattice

    tagger = MeCab()._tagger
    with gzip.open(corpus, "rt", encoding="utf-8") as handle, open(out, "w", encoding="utf-8") as sink:
        next(handle)
        for line in handle:
            lattice = create_lattice(line.rstrip("\n").split("\t")[4])
            tagger.parse(lattice)
            sink.write(" ".join(node.surface for _, node in lattice) + "\n")
    return {}


def task_tokenize_morphs(corpus: str, out: str) -> dict:
    """``MeCab().morphs()`` per review: the reference output the step must reproduce."""
    from mecab import MeCab

    mecab = MeCab()
    with gzip.open(corpus, "rt", encoding="utf-8") as handle, open(out, "w", encoding="utf-8") as sink:
        next(handle)
        for line in handle:
            sink.write(" ".join(mecab.morphs(line.rstrip("\n").split("\t")[4])) + "\n")
    return {}


def task_tokenize_ours(
    corpus: str, out: str, workers: int, name: str = "mecab", own_threads: bool | None = None
) -> dict:
    """The step; ``own_threads`` overrides the registry's choice between worker processes and
    the tokenizer's own threads, so that both can be measured."""
    import dataclasses

    from morphvec import tokenizers
    from morphvec.tokenize import tokenize_corpus

    if own_threads is not None:
        tokenizers.TOKENIZERS[name] = dataclasses.replace(tokenizers.TOKENIZERS[name], own_threads=own_threads)
    return tokenize_corpus(corpus, out, threads=workers, name=name)


def task_tokenize_kiwi_raw(corpus: str, out: str) -> dict:
    """The raw Kiwi loop: ``Kiwi.tokenize`` per review, forms joined, one process, one thread."""
    from kiwipiepy import Kiwi

    kiwi = Kiwi(num_workers=0, typos=None)
    with gzip.open(corpus, "rt", encoding="utf-8") as handle, open(out, "w", encoding="utf-8") as sink:
        next(handle)
        for line in handle:
            sink.write(" ".join(token.form for token in kiwi.tokenize(line.rstrip("\n").split("\t")[4])) + "\n")
    return {}


def task_train_raw(tokens: str, out: str, params: dict) -> dict:
    import fasttext

    started = time.perf_counter()
    model = fasttext.train_unsupervised(tokens, verbose=0, **{k: v for k, v in params.items() if k != "seed"})
    train_seconds = time.perf_counter() - started
    model.save_model(out)
    return {"train_seconds": train_seconds}


def task_train_ours(tokens: str, out: str, params: dict, trainer: str) -> dict:
    """The step, with the child's own account of its time (``trained in ... s`` on stderr, for the log)."""
    import contextlib
    import io
    import re

    from morphvec.training import train_fasttext

    captured = io.StringIO()
    with contextlib.redirect_stderr(captured):
        stats = train_fasttext(tokens, out, str(out) + ".vec", fasttext=params, trainer=trainer)
    trained = re.search(r"trained in ([0-9.]+) s", captured.getvalue())
    return {
        "zero_before": stats["zero_ngram_rows"]["before_fix_share"],
        "train_seconds": float(trained.group(1)) if trained else float("nan"),
    }


def task_quality(model_bin: str) -> dict:
    from morphvec.evaluation import evaluate_similarity, read_similarity_pairs
    from morphvec.formats import load_vectors

    result = evaluate_similarity(load_vectors(model_bin), read_similarity_pairs(WS353))
    return {"spearman": result["spearman"], "coverage": result["coverage"]}


def _rss_mb() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def task_open_raw(model_bin: str) -> dict:
    from gensim.models.fasttext import load_facebook_model

    before = _rss_mb()
    started = time.perf_counter()
    load_facebook_model(model_bin)
    return {"seconds": time.perf_counter() - started, "rss_added_mb": _rss_mb() - before}


def task_open_ours(export_dir: str) -> dict:
    from morphvec.fasttext_torch import FastTextEmbedding

    before = _rss_mb()
    started = time.perf_counter()
    embedding = FastTextEmbedding.load(export_dir)
    seconds = time.perf_counter() - started
    embedding.word_vectors(["영화", "처음보는말"])  # usable right away
    return {"seconds": seconds, "rss_added_mb": _rss_mb() - before}


def task_open_gensim_mmap(kv: str) -> dict:
    from gensim.models.fasttext import FastTextKeyedVectors

    before = _rss_mb()
    started = time.perf_counter()
    FastTextKeyedVectors.load(kv, mmap="r")
    return {"seconds": time.perf_counter() - started, "rss_added_mb": _rss_mb() - before}


def task_compress_fasttext(
    kv: str, out_dir: str, words: int, buckets: int, pieces: int, seed: int | None = None
) -> dict:
    """compress-fasttext 0.1.5's ``prune_ft_freq(pq=True)`` at one budget of the compact step: the
    same words, buckets and pieces (``qdim``), its own 255 centroids; saved in its format (a pickle).
    ``seed``: for numpy's global generator, which its k-means and sampling draw from."""
    import compress_fasttext
    import numpy as np
    from gensim.models.fasttext import FastTextKeyedVectors

    if seed is not None:
        np.random.seed(seed)

    full = FastTextKeyedVectors.load(kv, mmap="r")  # the bench's own run: a pickle it wrote
    started = time.perf_counter()
    small = compress_fasttext.prune_ft_freq(full, new_vocab_size=words, new_ngrams_size=buckets, pq=True, qdim=pieces)
    seconds = time.perf_counter() - started
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    small.save(str(target / "model.bin"))
    return {"seconds": seconds, "bytes": sum(path.stat().st_size for path in target.iterdir())}


def task_open_compress_fasttext(model: str) -> dict:
    """As ``morphvec.open_probe`` for a compact export: open and look up one word, in this fresh process."""
    import resource

    from compress_fasttext.models import CompressedFastTextKeyedVectors  # imported before the clock

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    kv = CompressedFastTextKeyedVectors.load(model)
    kv.get_vector("a")
    seconds = time.perf_counter() - started
    return {
        "open_seconds": seconds,
        "rss_added_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024,
    }


def task_compact_morphvec(run_dir: str, out_dir: str, variant: str, settings: dict) -> dict:
    """morphvec's compact step (``compress_vectors``, the function the rule calls) for one variant
    of the run's ``compress_vectors`` settings."""
    from morphvec.compress import compress_vectors

    names = ("word_vectors", "ngram_vectors", "vocab", "ngram_settings")
    target = Path(out_dir)
    started = time.perf_counter()
    stats = compress_vectors(
        *(layout.run_file(name, run_dir) for name in names),
        target / "embeddings.safetensors",
        target / "vocab.txt",
        target / "fasttext_torch.py",
        variant=variant,
        variants=settings["variants"],
        sample=settings["sample"],
        seed=settings["seed"],
        threads=2,
    )
    return {"seconds": time.perf_counter() - started, "bytes": stats["bytes"]}


def task_compact_quality(kind: str, model: str, tokens: str, labels: str, probe: dict, seed: int) -> dict:
    """A model scored by one code path for every kind (a morphvec export, ``kind`` morphvec, or a
    compress-fasttext file): WS353-ko ρ over all pairs (cosines of word vectors, unknown words
    from their n-grams), and the report's sentiment probe on fastText's sentence vectors (the
    mean of the unit word vectors, zero vectors skipped)."""
    import numpy as np
    from scipy.stats import spearmanr

    from morphvec import analyses
    from morphvec.evaluation import read_similarity_pairs

    if kind == "morphvec":
        from morphvec.fasttext_torch import FastTextEmbedding

        embedding = FastTextEmbedding.load(model)
        vector_of = lambda word: embedding.word_vectors([word])[0].numpy()  # noqa: E731
    else:
        from compress_fasttext.models import CompressedFastTextKeyedVectors

        vector_of = CompressedFastTextKeyedVectors.load(model).get_vector  # the bench's own pickle
    cache: dict = {}

    def unit(word: str):
        if word not in cache:
            vector = np.asarray(vector_of(word), dtype=np.float64)
            norm = np.linalg.norm(vector)
            cache[word] = vector / norm if norm > 0 else None
        return cache[word]

    pairs = read_similarity_pairs(WS353)
    cosines = [float(unit(a) @ unit(b)) if unit(a) is not None and unit(b) is not None else 0.0 for a, b, _ in pairs]
    texts, classes = analyses.probe_documents(tokens, labels, probe["max_documents"], seed)
    dim = len(np.asarray(vector_of("a")))
    rows = []
    for text in texts:
        found = [u for u in map(unit, text.split() if isinstance(text, str) else text) if u is not None]
        rows.append(np.mean(found, axis=0) if found else np.zeros(dim))
    scored = analyses.sentiment_probe(
        np.array(rows, dtype=np.float32),
        classes,
        probe["negative_max"],
        probe["positive_min"],
        probe["test_share"],
        seed,
    )
    return {
        "rho_all_pairs": float(spearmanr([g for *_, g in pairs], cosines).statistic),
        "probe_accuracy": scored["accuracy"],
    }


def task_torch_vs_fasttext(model_bin: str, export_dir: str, tokens: str, n: int) -> dict:
    import fasttext
    import numpy as np

    from morphvec.fasttext_torch import FastTextEmbedding

    with open(tokens, encoding="utf-8") as handle:
        lines = [line.rstrip("\n") for line in itertools.islice(handle, n)]
    started = time.perf_counter()
    model = fasttext.load_model(model_bin)
    fasttext_load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    embedding = FastTextEmbedding.load(export_dir)
    torch_load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    reference = np.stack([model.get_sentence_vector(line) for line in lines])
    fasttext_seconds = time.perf_counter() - started
    started = time.perf_counter()
    cold = embedding.sentence_vectors(lines).numpy()
    cold_seconds = time.perf_counter() - started
    started = time.perf_counter()
    embedding.sentence_vectors(lines)
    warm_seconds = time.perf_counter() - started
    ids, offsets = embedding.encode(lines)
    started = time.perf_counter()
    from_ids = embedding.sentence_vectors_from_ids(ids, offsets).numpy()
    ids_seconds = time.perf_counter() - started
    return {
        "sentences": len(lines),
        "fasttext_per_s": len(lines) / fasttext_seconds,
        "torch_strings_cold_per_s": len(lines) / cold_seconds,
        "torch_strings_warm_per_s": len(lines) / warm_seconds,
        "torch_ids_per_s": len(lines) / ids_seconds,
        "cold_seconds": cold_seconds,
        "fasttext_seconds": fasttext_seconds,
        "fasttext_load_seconds": fasttext_load_seconds,
        "torch_load_seconds": torch_load_seconds,
        "max_abs_diff": float(max(np.abs(cold - reference).max(), np.abs(from_ids - reference).max())),
    }


def task_static_vs_fasttext(model_bin: str, static_dir: str, tokens: str, n: int) -> dict:
    """Sentence vectors from raw, pre-split strings: fastText's ``get_sentence_vector`` loop
    against the static export as model2vec reads it (``tokenizers`` in Rust, then a mean of rows
    in numpy), as model2vec's ``StaticModel.encode`` and as sentence-transformers' ``encode``."""
    import fasttext
    import numpy as np
    from model2vec import StaticModel
    from sentence_transformers import SentenceTransformer

    from morphvec.formats import StaticVectors

    with open(tokens, encoding="utf-8") as handle:
        lines = [line.rstrip("\n") for line in itertools.islice(handle, n)]
    model = fasttext.load_model(model_bin)
    started = time.perf_counter()
    reference = np.stack([model.get_sentence_vector(line) for line in lines])
    fasttext_seconds = time.perf_counter() - started
    timings, vectors = {}, {}
    started = time.perf_counter()
    static = StaticVectors(static_dir)
    timings["morphvec_open"] = time.perf_counter() - started
    started = time.perf_counter()
    vectors["morphvec"] = static.sentence_vectors(lines)
    timings["morphvec"] = time.perf_counter() - started
    started = time.perf_counter()
    tokenized = static.ids(lines)
    timings["tokenizers_only"] = time.perf_counter() - started
    m2v = StaticModel.from_pretrained(static_dir)
    started = time.perf_counter()
    vectors["model2vec"] = m2v.encode(lines, batch_size=1024)
    timings["model2vec"] = time.perf_counter() - started
    st = SentenceTransformer(static_dir, device="cpu")
    started = time.perf_counter()
    vectors["sentence_transformers"] = st.encode(lines, batch_size=1024, convert_to_numpy=True)
    timings["sentence_transformers"] = time.perf_counter() - started
    known = [all(i != static.unknown_id for i in ids) for ids in tokenized]
    return {
        "sentences": len(lines),
        "fasttext_seconds": fasttext_seconds,
        **{f"{name}_seconds": seconds for name, seconds in timings.items()},
        **{f"{name}_vs_fasttext": fasttext_seconds / timings[name] for name in vectors},
        "max_abs_diff_known": {
            name: float(np.abs(v[known] - reference[known]).max()) if any(known) else 0.0 for name, v in vectors.items()
        },
        "sentences_all_known": int(sum(known)),
    }


def task_torch_cold_parts(export_dir: str, tokens: str, n: int) -> dict:
    """Where a cold ``sentence_vectors(strings)`` call's time goes, phase by phase, in a process of
    its own as fresh as the measured call's: ``encode`` (splitting and vocabulary look-ups), of
    which the unknown words' n-gram vectors (hashing, and the first reads of their rows from the
    memory-mapped matrix), the table of normalised vectors, and the ``embedding_bag``."""
    from morphvec.fasttext_torch import FastTextEmbedding

    with open(tokens, encoding="utf-8") as handle:
        lines = [line.rstrip("\n") for line in itertools.islice(handle, n)]
    embedding = FastTextEmbedding.load(export_dir)
    oov = {"seconds": 0.0, "words": 0}
    oov_vectors = embedding.oov_vectors

    def timed_oov_vectors(words):
        started = time.perf_counter()
        try:
            return oov_vectors(words)
        finally:
            oov["seconds"] += time.perf_counter() - started
            oov["words"] += len(words)

    embedding.oov_vectors = timed_oov_vectors
    started = time.perf_counter()
    ids, offsets = embedding.encode(lines)
    encode_seconds = time.perf_counter() - started
    started = time.perf_counter()
    embedding._sentence_table()
    table_seconds = time.perf_counter() - started
    started = time.perf_counter()
    embedding.sentence_vectors_from_ids(ids, offsets)
    bag_seconds = time.perf_counter() - started
    return {
        "split_lookup_seconds": encode_seconds - oov["seconds"],
        "oov_seconds": oov["seconds"],
        "table_seconds": table_seconds,
        "bag_seconds": bag_seconds,
        "unknown_words": oov["words"],
    }


def task_imports() -> dict:
    """Seconds to import the libraries the report step needs, one after another in a fresh process:
    the report's fixed cost, which no raw counterpart has."""
    import importlib

    seconds = {}
    for name in REPORT_LIBRARIES:
        started = time.perf_counter()
        importlib.import_module(name)
        seconds[name] = time.perf_counter() - started
    return seconds


def task_postprocess_raw(model_bin: str, out_dir: str) -> dict:
    """The raw library calls behind load_gensim, extract_vectors and export_torch."""
    import numpy as np
    import torch
    from gensim.models.fasttext import load_facebook_model, load_facebook_vectors
    from safetensors.torch import save_file

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model = load_facebook_model(model_bin)
    model.save(str(out / "m.model"))
    wv = load_facebook_vectors(model_bin)
    wv.save(str(out / "m.kv"))
    np.save(out / "w.npy", wv.vectors)
    np.save(out / "n.npy", wv.vectors_ngrams)
    np.save(out / "o.npy", model.syn1neg)
    wv.save_word2vec_format(str(out / "v.txt"))
    wv.save_word2vec_format(str(out / "v.bin"), binary=True)
    save_file({"w": torch.from_numpy(wv.vectors), "n": torch.from_numpy(wv.vectors_ngrams)}, out / "e.safetensors")
    return {}


TASKS = {name[len("task_") :]: fn for name, fn in globals().items() if name.startswith("task_")}


# --- the driver ----------------------------------------------------------------------------


def static_results(runs: list[dict]) -> dict:
    """Medians of the static path's repeats, with the largest difference to fastText of any."""
    keys = [key for key, value in runs[0].items() if isinstance(value, float)]
    out = {key: statistics.median(run[key] for run in runs) for key in keys}
    out["sentences"], out["sentences_all_known"] = runs[0]["sentences"], runs[0]["sentences_all_known"]
    out["max_abs_diff_known"] = {
        name: max(run["max_abs_diff_known"][name] for run in runs) for name in runs[0]["max_abs_diff_known"]
    }
    return out


def _sample_tree_rss(pid: int, peak: list[float], done: threading.Event) -> None:
    """The summed RSS (MiB) of process ``pid`` and all its children, every 0.1 s, as Snakemake's
    benchmark files sum a job's process tree: ``ru_maxrss`` is the largest single process only."""
    import psutil

    try:
        root = psutil.Process(pid)
        while not done.is_set():
            total = 0
            for process in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += process.memory_info().rss
            peak[0] = max(peak[0], total / 2**20)
            done.wait(0.1)
    except psutil.Error:
        return


def measure(task: str, **kwargs) -> dict:
    """Run one task in a fresh process; add its wall seconds, its largest process's peak RSS
    (``max_rss_mb``) and the peak of its whole process tree (``tree_rss_mib``)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, __file__, "--task", task, "--kwargs", json.dumps(kwargs)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    peak, done = [0.0], threading.Event()
    sampler = threading.Thread(target=_sample_tree_rss, args=(process.pid, peak, done), daemon=True)
    sampler.start()
    output = process.stdout.read()
    done.set()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    sampler.join()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"task {task} failed: {output[-2000:]}")
    result = json.loads(output.strip().splitlines()[-1])
    return {**result, "wall": wall, "max_rss_mb": usage.ru_maxrss / 1024, "tree_rss_mib": peak[0]}


def repeat(times: int, task: str, **kwargs) -> list[dict]:
    runs = []
    for i in range(times):
        runs.append(measure(task, **kwargs))
        print(f"  {task} #{i + 1}: {runs[-1]['wall']:.2f} s", file=sys.stderr, flush=True)
    return runs


def alternate(times: int, *runs: tuple[str, dict]) -> list[list[dict]]:
    """``repeat`` for tasks to be compared: round by round (A, B, A, B, ...), so that a machine
    that slows down or speeds up during the bench weighs on each side alike."""
    measured: list[list[dict]] = [[] for _ in runs]
    for i in range(times):
        for (task, kwargs), results in zip(runs, measured, strict=True):
            results.append(measure(task, **kwargs))
            print(f"  {task} #{i + 1}: {results[-1]['wall']:.2f} s", file=sys.stderr, flush=True)
    return measured


def results_median(runs: list[dict]) -> float:
    """Median wall seconds of a measurement's repeats."""
    return statistics.median(r["wall"] for r in runs)


def results_ratio(slower: list[dict], faster: list[dict]) -> float:
    """Median wall time of one measurement over another's."""
    return statistics.median(r["wall"] for r in slower) / statistics.median(r["wall"] for r in faster)


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def make_slice(source: Path, target: Path, fraction: float | None = None, rows: int | None = None) -> Path:
    """The first ``rows`` reviews, or every review with index % k < fraction * k (spread evenly)."""
    if target.exists():
        return target
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        header = next(handle)
        if rows is not None:
            body = list(itertools.islice(handle, rows))
        else:
            body = [line for i, line in enumerate(handle) if (i % 100) < round(fraction * 100)]
    with gzip.open(target, "wt", encoding="utf-8", compresslevel=1) as sink:
        sink.write(header)
        sink.writelines(body)
    return target


def repeat_corpus(source: Path, target: Path, times: int) -> Path:
    """The corpus ``times`` over (one header): a larger corpus with the same vocabulary, for scaling."""
    if target.exists():
        return target
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        header = next(handle)
        body = handle.read()
    with gzip.open(target, "wt", encoding="utf-8", compresslevel=1) as sink:
        sink.write(header)
        for _ in range(times):
            sink.write(body)
    return target


def bench_settings(corpus: Path, params: dict) -> dict:
    """The bench's own run: MeCab, the given fastText settings, WS353-ko."""
    return {
        "corpus": {"path": str(corpus)},
        "tokenizer": {"threads": 2},
        "fasttext": params,
        "evaluation": {"similarity": {"ws353_ko": str(WS353)}},
    }


def recommended_settings(corpus: Path) -> tuple[str, dict]:
    """The run of ``config/full_nsmc.yaml``, what the README tells users to run, as it is but for
    the paths: the corpus is ``corpus`` and the evaluation files are resolved from the checkout."""
    import yaml

    (run, settings), *_ = yaml.safe_load(RECOMMENDED.read_text(encoding="utf-8"))["runs"].items()
    settings["corpus"]["path"] = str(corpus)
    for kind in ("similarity", "analogy", "sts"):
        for name, path in settings.get("evaluation", {}).get(kind, {}).items():
            settings["evaluation"][kind][name] = str(REPO / path.removeprefix("morphvec:"))  # a bundled file
    return run, settings


def step_measurements(run_dir: Path) -> dict:
    """Each step's seconds and peak RSS (MiB) from the workflow's benchmark files (shards and
    compact variants summed in time, their largest peak kept), with the compact variants apart."""
    steps: dict[str, dict] = {}
    for tsv in sorted((run_dir / "benchmarks").glob("*.tsv")):
        header, values = tsv.read_text().splitlines()[:2]
        row = dict(zip(header.split("\t"), values.split("\t"), strict=True))
        name, _, part = tsv.stem.partition(".")
        for key in (name, f"{name}.{part}") if name == "compress_vectors" else (name,):
            step = steps.setdefault(key, {"seconds": 0.0, "max_rss_mb": 0.0})
            step["seconds"] += float(row["s"])
            step["max_rss_mb"] = max(step["max_rss_mb"], float(row["max_rss"]))
    return steps


def log_breakdowns(run_dir: Path) -> dict:
    """What the steps' logs say of where their time and memory go: the report's resident and
    peak memory after each section, and the compact step's seconds per phase and variant."""
    import re

    report = {}
    for line in (run_dir / "logs" / "write_report.log").read_text(encoding="utf-8").splitlines():
        found = re.search(r"after (\w+): RSS (\d+) MiB, peak (\d+) MiB", line)
        if found:
            report[found.group(1)] = {"rss_mib": int(found.group(2)), "peak_mib": int(found.group(3))}
    compress = {}
    for log in sorted((run_dir / "logs").glob("compress_vectors.*.log")):
        phases = compress.setdefault(log.stem.split(".", 1)[1], {})
        for line in log.read_text(encoding="utf-8").splitlines():
            found = re.search(r"quantized \d+ rows x \d+ pieces: (.*)$", line)
            for phase, seconds in re.findall(r"([\w-]+) ([0-9.]+) s", found.group(1) if found else ""):
                phases[phase] = phases.get(phase, 0.0) + float(seconds)
    return {"report_sections": report, "compress_phases": compress}


def compact_rows(summary: Path, run: str) -> list[dict]:
    """The summary's rows of the full model and its compact ones (size, open time and memory,
    quality kept), as the workflow measured them; [] without compact models."""
    if not summary.is_file():
        return []
    header, *lines = summary.read_text(encoding="utf-8").splitlines()
    rows = [dict(zip(header.split("\t"), line.split("\t"), strict=True)) for line in lines]
    return [row for row in rows if row["run"] == run]


def run_workflow(workdir: Path, run: str, settings: dict) -> dict:
    """End-to-end snakemake of one run: first up to the torch export (the part with raw
    counterparts), then the rest (report, manifest, summary); the no-op rerun; step benchmarks;
    the largest peak RSS of a step after training against the ``.bin`` size."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = {"runs": {run: settings}}
    (workdir / "config.yaml").write_text(json.dumps(config), encoding="utf-8")
    command = [
        sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
        "--configfile", str(workdir / "config.yaml"), "--cores", "2", "--quiet", "all",
    ]  # fmt: skip
    started = time.perf_counter()
    subprocess.run([*command, "--forceall", "--until", "export_torch"], check=True, capture_output=True)
    wall_to_export = time.perf_counter() - started
    subprocess.run(command, check=True, capture_output=True)
    wall = time.perf_counter() - started
    started = time.perf_counter()
    noop = subprocess.run(command, check=True, capture_output=True, text=True)
    noop_seconds = time.perf_counter() - started
    run_dir = workdir / layout.RESULTS / run
    steps = step_measurements(run_dir)
    metrics = json.loads((run_dir / "report" / "metrics.json").read_text())
    bin_mb = Path(layout.run_file("model_bin", run_dir)).stat().st_size / 2**20  # MiB, as the benchmark files
    peak_after = max(steps[step]["max_rss_mb"] for step in AFTER_TRAINING if step in steps)
    return {
        "run": run,
        "settings": settings,
        "metrics": {key: metrics.get(key) for key in ("quality", "sentiment_probe", "compression", "vocabulary_size")},
        "compact": compact_rows(workdir / layout.RESULTS / "summary_compact.tsv", run),
        **log_breakdowns(run_dir),
        "wall": wall,
        "wall_to_export": wall_to_export,
        "bin_mb": bin_mb,
        "peak_rss_after_training_mb": peak_after,
        "peak_rss_vs_bin": peak_after / bin_mb,
        "noop_seconds": noop_seconds,
        "noop_did_nothing": "Nothing to be done" in noop.stdout + noop.stderr or noop.stdout.strip() == "",
        "steps": steps,
        "parity_max_abs_diff": metrics["parity"]["max_abs_diff"],
        "documents": metrics["corpus"]["documents"],
    }


def compact_inputs(run_dir: Path) -> tuple[dict, dict]:
    """A finished run's settings, and what :func:`task_compact_quality` scores its models with
    (its tokens and labels, the report's probe settings and seed)."""
    settings = json.loads((run_dir / "report" / "metrics.json").read_text(encoding="utf-8"))["settings"]
    evaluation = settings["evaluation"]
    return settings, {
        "tokens": layout.run_file("tokens", run_dir),
        "labels": layout.run_file("labels", run_dir),
        "probe": evaluation["sentiment_probe"],
        "seed": evaluation["seed"],
    }


def peer_budget(chosen: dict) -> dict:
    """A compact variant's budget as :func:`task_compress_fasttext` takes it (pieces are ``qdim``)."""
    return {"words": chosen["words"], "buckets": chosen["buckets"], "pieces": chosen["subvectors"]}


def measure_compact_curve(run_dir: Path, out: Path) -> dict:
    """morphvec's compact models and compress-fasttext's, built from the same model at each of the
    compact step's budgets in this run, and the full export, scored by one code path
    (:func:`task_compact_quality`): size, share of the full export, open time and memory added
    (median of 3 fresh processes), ρ and probe and their share kept, build time."""
    from morphvec.analyses import open_cost

    settings, data = compact_inputs(run_dir)
    full_dir = Path(layout.run_file("torch_weights", run_dir)).parent
    full = measure("compact_quality", kind="morphvec", model=str(full_dir), **data)
    full_bytes = (full_dir / "embeddings.safetensors").stat().st_size

    def row(name: str, built: dict, scored: dict, opened: dict) -> dict:
        return {
            "model": name,
            "bytes": built["bytes"],
            "size_share": built["bytes"] / full_bytes,
            "open_ms": 1000 * opened["open_seconds"],
            "rss_added_mb": opened["rss_added_mb"],
            "rho_all_pairs": scored["rho_all_pairs"],
            "rho_kept": scored["rho_all_pairs"] / full["rho_all_pairs"],
            "probe_accuracy": scored["probe_accuracy"],
            "probe_kept": scored["probe_accuracy"] / full["probe_accuracy"],
            "seconds": built["seconds"],
            "max_rss_mb": built["max_rss_mb"],
        }

    curve: dict = {"full": {**full, "bytes": full_bytes}, "morphvec": [], "compress_fasttext": []}
    for name, chosen in settings["compress_vectors"]["variants"].items():
        ours_dir, peer_dir = out / "compact" / "morphvec" / name, out / "compact" / "compress_fasttext" / name
        compact_settings = settings["compress_vectors"]
        built = measure(
            "compact_morphvec", run_dir=str(run_dir), out_dir=str(ours_dir), variant=name, settings=compact_settings
        )
        scored = measure("compact_quality", kind="morphvec", model=str(ours_dir), **data)
        curve["morphvec"].append(row(name, built, scored, open_cost(ours_dir)))
        budget = peer_budget(chosen)
        built = measure("compress_fasttext", kv=layout.run_file("gensim_kv", run_dir), out_dir=str(peer_dir), **budget)
        scored = measure("compact_quality", kind="compress_fasttext", model=str(peer_dir / "model.bin"), **data)
        opened = [measure("open_compress_fasttext", model=str(peer_dir / "model.bin")) for _ in range(3)]
        median = {key: statistics.median(r[key] for r in opened) for key in ("open_seconds", "rss_added_mb")}
        curve["compress_fasttext"].append(row(name, built, scored, median))
        print(
            f"  {name}: ρ kept {curve['morphvec'][-1]['rho_kept']:.1%} (morphvec) / "
            f"{curve['compress_fasttext'][-1]['rho_kept']:.1%} (compress-fasttext)",
            file=sys.stderr,
            flush=True,
        )
    return curve


def count_differences(a: Path, b: Path) -> int:
    with open(a, encoding="utf-8") as left, open(b, encoding="utf-8") as right:
        return sum(1 for x, y in zip(left, right, strict=True) if x != y)


def measure_kiwi(kiwi_corpus: Path, out: Path, repeats: int) -> dict:
    """Kiwi against MeCab on the 50k slice: raw loops, the step both ways (processes, Kiwi's own
    threads) and with one worker (the memory per worker the registry records)."""
    step = lambda name, out_name, workers=2, **more: (  # noqa: E731
        "tokenize_ours",
        {"corpus": str(kiwi_corpus), "out": str(out / out_name), "workers": workers, "name": name, **more},
    )
    kiwi_calls = {
        "mecab_raw": ("tokenize_raw", {"corpus": str(kiwi_corpus), "out": str(out / "k_mecab_raw.txt")}),
        "kiwi_raw": ("tokenize_kiwi_raw", {"corpus": str(kiwi_corpus), "out": str(out / "k_kiwi_raw.txt")}),
        "mecab_ours": step("mecab", "k_mecab.txt"),
        "kiwi_ours": step("kiwi", "k_kiwi.txt"),
        # Kiwi the other way than the registry's, and one worker of each: the memory per worker.
        "kiwi_other": step("kiwi", "k_kiwi_other.txt", own_threads=not tokenizer_entry("kiwi").own_threads),
        "kiwi_one": step("kiwi", "k_kiwi_one.txt", workers=1),
        "mecab_one": step("mecab", "k_mecab_one.txt", workers=1),
    }
    kiwi_runs = dict(zip(kiwi_calls, alternate(repeats, *kiwi_calls.values()), strict=True))
    kiwi = {name: summary([r["wall"] for r in runs]) for name, runs in kiwi_runs.items()}
    kiwi["tree_rss_mib"] = {name: max(r["tree_rss_mib"] for r in runs) for name, runs in kiwi_runs.items()}
    kiwi.update(
        own_threads=tokenizer_entry("kiwi").own_threads,
        other_output_identical=(out / "k_kiwi.txt").read_bytes() == (out / "k_kiwi_other.txt").read_bytes(),
        mb_per_second=kiwi_corpus.stat().st_size * 4 / 1e6 / results_median(kiwi_runs["kiwi_one"]),
        mecab_mb_per_second=kiwi_corpus.stat().st_size * 4 / 1e6 / results_median(kiwi_runs["mecab_one"]),
    )
    kiwi.update(
        documents=kiwi_runs["kiwi_ours"][-1]["documents"],
        kiwi_tokens=kiwi_runs["kiwi_ours"][-1]["tokens"],
        mecab_tokens=kiwi_runs["mecab_ours"][-1]["tokens"],
        kiwi_max_rss_mb=max(r["max_rss_mb"] for r in kiwi_runs["kiwi_ours"]),
        ratio=results_ratio(kiwi_runs["kiwi_ours"], kiwi_runs["mecab_ours"]),
        raw_ratio=results_ratio(kiwi_runs["kiwi_raw"], kiwi_runs["mecab_raw"]),
    )
    return kiwi


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="50k-review slice, one repetition")
    parser.add_argument("--repeats", type=int, help="repetitions per measurement (default 3, quick 1)")
    parser.add_argument(
        "--recommended",
        action="store_true",
        help="only the recommended configuration (config/full_nsmc.yaml) and the Kiwi section, merged into "
        "the figures of the last full run (bench/results/full.json) and BENCHMARKS.md",
    )
    parser.add_argument(
        "--compact",
        action="store_true",
        help="only morphvec's compact models against compress-fasttext's, on the recommended run that the last "
        "full or --recommended run left in --out (minutes), merged into bench/results/full.json and BENCHMARKS.md",
    )
    parser.add_argument("--corpus", type=Path, default=FULL_CORPUS)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    parser.add_argument("--task", help=argparse.SUPPRESS)
    parser.add_argument("--kwargs", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.task:
        print(json.dumps(TASKS[args.task](**json.loads(args.kwargs))))
        return 0
    if not args.corpus.exists():
        print(f"error: corpus not found: {args.corpus}\n  fix: put ../shared beside the checkout or pass --corpus")
        return 2

    partial = measure_recommended if args.recommended else measure_compact_only if args.compact else None
    if partial is not None:  # a part of the full run, merged into its figures
        return partial(args)
    repeats = args.repeats or (1 if args.quick else 3)
    out = args.out / ("quick" if args.quick else "full")
    out.mkdir(parents=True, exist_ok=True)
    params = QUICK_FASTTEXT if args.quick else FASTTEXT
    corpus = make_slice(args.corpus, out / "slice_50k.tsv.gz", rows=50_000) if args.quick else args.corpus
    started_all = time.perf_counter()
    results: dict = {"quick": args.quick, "repeats": repeats, "fasttext": params, "corpus": str(corpus)}

    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    log("tokenize: raw loop, MeCab().morphs(), morphvec with 2 workers")
    raw_tokens, ours_tokens, morphs_tokens = out / "tokens_raw.txt", out / "tokens_ours.txt", out / "tokens_morphs.txt"
    tok_raw, tok_ours = alternate(
        repeats,
        ("tokenize_raw", {"corpus": str(corpus), "out": str(raw_tokens)}),
        ("tokenize_ours", {"corpus": str(corpus), "out": str(ours_tokens), "workers": 2}),
    )
    tok_morphs = measure("tokenize_morphs", corpus=str(corpus), out=str(morphs_tokens))
    results["tokenize"] = {
        "raw": summary([r["wall"] for r in tok_raw]),
        "ours": summary([r["wall"] for r in tok_ours]),
        "morphs_loop_seconds": tok_morphs["wall"],
        "ours_max_rss_mb": max(r["max_rss_mb"] for r in tok_ours),
        "raw_max_rss_mb": max(r["max_rss_mb"] for r in tok_raw),
        "lines_differing_from_morphs": count_differences(ours_tokens, morphs_tokens),
        "documents_changed_by_cleaning": tok_ours[-1]["cleaning"]["nfc_normalised_documents"]
        + tok_ours[-1]["cleaning"]["invisible_chars_removed"],
        "documents": tok_ours[-1]["documents"],
        "tokens": tok_ours[-1]["tokens"],
    }
    results["tokenize"]["ratio"] = results["tokenize"]["ours"]["median"] / results["tokenize"]["raw"]["median"]

    log("tokenize: Kiwi against MeCab on 50,000 reviews (raw loops and the step)")
    kiwi_corpus = corpus if args.quick else make_slice(args.corpus, out / "slice_50k.tsv.gz", rows=50_000)
    results["kiwi"] = measure_kiwi(kiwi_corpus, out, repeats)

    log("train: bare fasttext.train_unsupervised vs the train_fasttext step (both trainers)")
    raw_bin, ours_bin, gensim_bin = out / "raw.bin", out / "ours.bin", out / "gensim.bin"
    train_raw, train_ours, train_gensim = alternate(
        repeats,
        ("train_raw", {"tokens": str(ours_tokens), "out": str(raw_bin), "params": params}),
        ("train_ours", {"tokens": str(ours_tokens), "out": str(ours_bin), "params": params, "trainer": "fasttext"}),
        ("train_ours", {"tokens": str(ours_tokens), "out": str(gensim_bin), "params": params, "trainer": "gensim"}),
    )
    results["train"] = {
        "raw": summary([r["wall"] for r in train_raw]),
        "ours": summary([r["wall"] for r in train_ours]),
        "gensim": summary([r["wall"] for r in train_gensim]),
        "raw_max_rss_mb": max(r["max_rss_mb"] for r in train_raw),
        "ours_max_rss_mb": max(r["max_rss_mb"] for r in train_ours),
        "gensim_max_rss_mb": max(r["max_rss_mb"] for r in train_gensim),
        "zero_ngram_share_before_fix": train_ours[-1]["zero_before"],
        # fastText's own training time inside each, and everything around it (child, save, repair, .vec)
        "raw_library_seconds": summary([r["train_seconds"] for r in train_raw]),
        "ours_library_seconds": summary([r["train_seconds"] for r in train_ours]),
        "raw_around_seconds": statistics.median(r["wall"] - r["train_seconds"] for r in train_raw),
        "ours_around_seconds": statistics.median(r["wall"] - r["train_seconds"] for r in train_ours),
        "quality": {
            "fasttext": measure("quality", model_bin=str(ours_bin)),
            "gensim": measure("quality", model_bin=str(gensim_bin)),
        },
    }
    results["train"]["ratio"] = results["train"]["ours"]["median"] / results["train"]["raw"]["median"]
    results["train"]["gensim_ratio"] = results["train"]["gensim"]["median"] / results["train"]["raw"]["median"]

    log("workflow: end-to-end snakemake on the corpus, then a no-op rerun")
    workflow = run_workflow(out / "workflow", "bench", bench_settings(corpus, params))
    run_dir = out / "workflow" / layout.RESULTS / "bench"
    export_dir = Path(layout.run_file("torch_weights", run_dir)).parent
    kv = Path(layout.run_file("gensim_kv", run_dir))
    post_raw = measure("postprocess_raw", model_bin=str(ours_bin), out_dir=str(out / "raw_post"))
    raw_sum = results["tokenize"]["raw"]["median"] + results["train"]["raw"]["median"] + post_raw["wall"]
    results["workflow"] = {
        **workflow,
        "raw_sum": raw_sum,
        "raw_postprocess_seconds": post_raw["wall"],
        "ratio": workflow["wall_to_export"] / raw_sum,  # the part of the workflow with raw counterparts
        "ratio_end_to_end": workflow["wall"] / raw_sum,
        "report_seconds": workflow["steps"]["write_report"]["seconds"],
        "report_imports": measure("imports"),
    }

    # The workflow's own model from here on: with 2 training threads no two trainings are the
    # same, so the torch export must be compared with the .bin it came from.
    workflow_bin = Path(layout.run_file("model_bin", run_dir))
    log("open: load_facebook_model vs the torch export (and gensim mmap)")
    open_raw = repeat(repeats, "open_raw", model_bin=str(workflow_bin))
    open_ours = repeat(repeats, "open_ours", export_dir=str(export_dir))
    open_gensim = repeat(repeats, "open_gensim_mmap", kv=str(kv))
    results["open"] = {
        "raw_seconds": summary([r["seconds"] for r in open_raw]),
        "raw_rss_added_mb": statistics.median(r["rss_added_mb"] for r in open_raw),
        "ours_seconds": summary([r["seconds"] for r in open_ours]),
        "ours_rss_added_mb": statistics.median(r["rss_added_mb"] for r in open_ours),
        "gensim_mmap_seconds": summary([r["seconds"] for r in open_gensim]),
        "gensim_mmap_rss_added_mb": statistics.median(r["rss_added_mb"] for r in open_gensim),
    }
    results["open"]["speedup"] = results["open"]["raw_seconds"]["median"] / results["open"]["ours_seconds"]["median"]

    log("torch: batched sentence vectors vs the fastText loop (20k reviews)")
    reviews = {"model_bin": str(workflow_bin), "tokens": str(ours_tokens), "n": 20000}  # both sentence benches
    torch_runs = repeat(repeats, "torch_vs_fasttext", export_dir=str(export_dir), **reviews)
    results["torch"] = {
        key: summary([r[key] for r in torch_runs])
        for key in ("fasttext_per_s", "torch_strings_cold_per_s", "torch_strings_warm_per_s", "torch_ids_per_s")
    }
    results["torch"]["max_abs_diff"] = max(r["max_abs_diff"] for r in torch_runs)
    for key in ("cold_seconds", "fasttext_seconds", "fasttext_load_seconds", "torch_load_seconds"):
        results["torch"][key] = statistics.median(r[key] for r in torch_runs)
    parts = repeat(repeats, "torch_cold_parts", export_dir=str(export_dir), tokens=str(ours_tokens), n=20000)
    for key in ("split_lookup_seconds", "oov_seconds", "table_seconds", "bag_seconds", "unknown_words"):
        results["torch"][key] = statistics.median(r[key] for r in parts)
    for key in ("torch_strings_cold_per_s", "torch_strings_warm_per_s", "torch_ids_per_s"):
        results["torch"][key.replace("_per_s", "_vs_fasttext")] = (
            results["torch"][key]["median"] / results["torch"]["fasttext_per_s"]["median"]
        )

    log("static export: sentence vectors from raw strings vs the fastText loop (20k reviews)")
    static_dir = Path(layout.run_file("static_weights", run_dir)).parent
    results["static"] = static_results(repeat(repeats, "static_vs_fasttext", static_dir=str(static_dir), **reviews))

    if not args.quick:
        log("recommended: the workflow of config/full_nsmc.yaml, what the README tells users to run (once)")
        results["recommended"] = run_workflow(out / "recommended", *recommended_settings(corpus))
        log("compact: morphvec's compact models against compress-fasttext's, on the recommended model")
        recommended_dir = out / "recommended" / layout.RESULTS / results["recommended"]["run"]
        results["recommended"]["compact_curve"] = measure_compact_curve(recommended_dir, out)

    log("scaling: the workflow on 10% and 30% of the corpus and on the corpus three times over")
    scaling = {}
    for fraction in (0.1, 0.3):
        sliced = make_slice(corpus, out / f"slice_{int(fraction * 100)}.tsv.gz", fraction=fraction)
        scaling[str(fraction)] = run_workflow(
            out / f"workflow_{int(fraction * 100)}", "bench", bench_settings(sliced, params)
        )
    scaling["1.0"] = workflow
    tripled = repeat_corpus(corpus, out / "corpus_x3.tsv.gz", times=3)
    scaling["3.0"] = run_workflow(out / "workflow_x3", "bench", bench_settings(tripled, params))
    results["scaling"] = scaling
    (out / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")  # kept if what follows fails
    if not args.quick:
        # The slice targets (training, workflow, report) come from the quick bench, run here with
        # the same repetitions, so that one full run measures every target.
        log("slice: bench/run --quick inside the full run")
        with contextlib.redirect_stdout(sys.stderr):  # its headline is not this run's last line
            main(["--quick", "--repeats", str(repeats), "--corpus", str(args.corpus), "--out", str(args.out)])
        results["slice"] = json.loads((args.out / "quick" / "results.json").read_text(encoding="utf-8"))
    results["seconds"] = time.perf_counter() - started_all
    results["machine"] = machine_notes()

    write_outputs(results, args.quick, out)
    return 0


def write_outputs(results: dict, quick: bool, out: Path) -> None:
    """results.json; for a full run BENCHMARKS.md, the plot and the committed figures; the headline."""
    (out / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    from report_benchmarks import plot_scaling, write_markdown

    if not quick:
        plot_scaling(results, REPO / "bench" / "scaling.png")
        write_markdown(results, REPO / "BENCHMARKS.md", plot="bench/scaling.png")
        # The figures behind BENCHMARKS.md, committed with it (write_markdown rebuilds it from them).
        (REPO / "bench" / "results" / "full.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    headline = {
        "tokenize_vs_raw": round(results["tokenize"]["ratio"], 3),
        "train_vs_raw": round(results["train"]["ratio"], 3),
        "open_seconds": round(results["open"]["ours_seconds"]["median"], 4),
        "torch_vs_fasttext": round(results["torch"]["torch_ids_vs_fasttext"], 1),
        "torch_strings_vs_fasttext": round(results["torch"]["torch_strings_warm_vs_fasttext"], 2),
        "workflow_vs_raw": round(results["workflow"]["ratio"], 3),
        "report_seconds": round(results["workflow"]["report_seconds"], 2),
        "peak_rss_vs_bin": round(results["workflow"]["peak_rss_vs_bin"], 2),
        "noop_seconds": round(results["workflow"]["noop_seconds"], 2),
        "gensim_train_vs_raw": round(results["train"]["gensim_ratio"], 3),
        "kiwi_vs_mecab": round(results["kiwi"]["ratio"], 1),
        "seconds": round(results["seconds"], 1),
    }
    print(json.dumps(headline))


def measure_recommended(args) -> int:
    """``--recommended``: the Kiwi section (medians of ``--repeats``, default 3) and one run of the
    recommended workflow, put into the last full run's figures; BENCHMARKS.md says which part was
    measured when."""
    started = time.perf_counter()
    out = args.out / "full"
    out.mkdir(parents=True, exist_ok=True)
    committed = REPO / "bench" / "results" / "full.json"
    results = json.loads(committed.read_text(encoding="utf-8"))
    print("tokenize: Kiwi against MeCab on 50,000 reviews", file=sys.stderr, flush=True)
    kiwi_corpus = make_slice(args.corpus, out / "slice_50k.tsv.gz", rows=50_000)
    results["kiwi"] = measure_kiwi(kiwi_corpus, out, args.repeats or 3)
    print("recommended: the workflow of config/full_nsmc.yaml (once)", file=sys.stderr, flush=True)
    results["recommended"] = run_workflow(out / "recommended", *recommended_settings(args.corpus))
    print("compact: morphvec's compact models against compress-fasttext's", file=sys.stderr, flush=True)
    recommended_dir = out / "recommended" / layout.RESULTS / results["recommended"]["run"]
    results["recommended"]["compact_curve"] = measure_compact_curve(recommended_dir, out)
    results["recommended_run"] = {**machine_notes(), "seconds": time.perf_counter() - started}
    committed.write_text(json.dumps(results, indent=2), encoding="utf-8")
    from report_benchmarks import splice_recommended

    splice_recommended(results, REPO / "BENCHMARKS.md", plot="bench/scaling.png")
    print(json.dumps({"peak_rss_vs_bin": round(results["recommended"]["peak_rss_vs_bin"], 2)}))
    return 0


def measure_compact_only(args) -> int:
    """``--compact``: the compact curve against compress-fasttext again, on the recommended model
    already trained in ``--out`` (its compact models rebuilt by the current code)."""
    committed = REPO / "bench" / "results" / "full.json"
    results = json.loads(committed.read_text(encoding="utf-8"))
    run_dir = args.out / "full" / "recommended" / layout.RESULTS / results["recommended"]["run"]
    if not (run_dir / "report" / "metrics.json").is_file():
        print(f"error: no recommended run in {run_dir}\n  fix: run bench/run --recommended first")
        return 2
    results["recommended"]["compact_curve"] = measure_compact_curve(run_dir, args.out / "full")
    results["recommended"]["compact_curve"]["measured"] = {**machine_notes()}
    committed.write_text(json.dumps(results, indent=2), encoding="utf-8")
    from report_benchmarks import splice_compact

    splice_compact(results, REPO / "BENCHMARKS.md", plot="bench/scaling.png")
    return 0


def machine_notes() -> dict:
    import fasttext  # noqa: F401
    import gensim
    import torch

    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?")
    memory = next(line.split()[1] for line in meminfo if line.startswith("MemTotal"))
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(int(memory) / 1024**2, 1),
        "python": platform.python_version(),
        "gensim": gensim.__version__,
        "torch": torch.__version__,
        "date": time.strftime("%Y-%m-%d"),
    }


if __name__ == "__main__":
    sys.exit(main())
