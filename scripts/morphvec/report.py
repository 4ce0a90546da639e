"""The per-run report: parity, corpus, quality, probe and plots in ``metrics.json`` and a page.

``metrics.json`` is machine-readable: ``parity`` (see :mod:`morphvec.parity`), ``quality``
(:func:`morphvec.evaluation.evaluate`: similarity ρ on in-vocabulary pairs and, with subword
vectors, on all pairs, and composed from morphemes for eojeol; analogies in gensim's, the
OOV-aware and the eojeol protocol; vocabulary coverage), ``corpus`` and ``corpus_profile``,
``training``, ``neighbours``, ``neighbours_content`` (content words by their dominant tag) and
``neighbours_in_out`` (IN-OUT: words that occur with the probe; see :mod:`morphvec.query`),
``sentiment_probe`` when the corpus has labels, and ``finetune_word2vec`` when it ran.
``report.html`` shows the same through ``templates/report.html.j2``; the figures also go to a
directory that ``snakemake --report`` collects.  A new report section is a function here that
adds to the metrics and the view, and a block in the template.
"""

import logging
import os
import random
from pathlib import Path

import numpy as np

from morphvec import analyses, provenance, render
from morphvec import plots as figures
from morphvec.corpus import read_token_counts, read_token_tags
from morphvec.evaluation import evaluate, headline_scores, nearest_neighbours
from morphvec.parity import check_parity
from morphvec.query import is_content_tag
from morphvec.runtime import UserInputError, atomic_open, atomic_path, read_json, require_file, write_json
from morphvec.schema import SCHEMA_DEFAULT, configured
from morphvec.vectors import EOS, open_fasttext_vectors

log = logging.getLogger("morphvec.report")

NEIGHBOURS = 10


def _load_models(model_bin, vector_files: tuple, torch_weights):
    """A loader of fastText's model (opened, used and released inside the parity check), gensim's
    vectors (pickle-free, memory-mapped from the extracted arrays) and the torch export (mmap)."""
    import fasttext

    from morphvec.fasttext_torch import FastTextEmbedding

    model_path = str(require_file(model_bin, "fastText model", "run train_fasttext"))
    wv = open_fasttext_vectors(*vector_files)
    torch_embedding = FastTextEmbedding.load(require_file(torch_weights, "torch export", "run export_torch"))
    return lambda: fasttext.load_model(model_path), wv, torch_embedding


def _space(wv, output_vectors, token_counts, corpus: dict):
    """gensim's vectors as a query Space: the run's analyser (eojeol queries), its tags, its output vectors."""
    from morphvec.query import Space, read_output_vectors
    from morphvec.tokenize import Analyser

    output = read_output_vectors(require_file(output_vectors, "output vectors", "run extract_vectors"))
    space = Space(wv, output, None, read_token_tags(token_counts))
    if corpus["tokenizer"] != "whitespace":
        space.analyser = Analyser(corpus["tokenizer"], space.pos, space.units.name, corpus.get("lowercase", False))
    return space


def _neighbour_views(space, probe_words: list[str]) -> dict:
    """Nearest neighbours among all words, among content words (each token's dominant tag), and
    in the IN-OUT space (words that occur with the probe)."""
    content = bool(space.tags)
    return {
        "neighbours": nearest_neighbours(space, probe_words, NEIGHBOURS),
        "neighbours_content": nearest_neighbours(space, probe_words, NEIGHBOURS, content_only=True) if content else {},
        "neighbours_in_out": nearest_neighbours(space, probe_words, NEIGHBOURS, "in-out", content_only=content),
    }


def _corpus_section(metrics: dict, images: dict, token_counts, run: str) -> None:
    counts = read_token_counts(token_counts)
    metrics["corpus_profile"] = analyses.corpus_profile(counts)
    images["zipf"] = figures.zipf_png(counts, run)
    images["token_lengths"] = figures.token_length_png(metrics["corpus_profile"]["token_length_histogram"], run)


def _pca_section(images: dict, space, pca_words: list[str], pca_top_n: int) -> None:
    chosen = [w for w in pca_words if w]
    if len(chosen) >= 3:
        vectors = np.stack([space.get_vector(w) for w in chosen])
        images["pca_words"] = figures.pca_png(chosen, vectors, "PCA of the chosen words (subword vectors for OOV)")
    if space.tags:  # content words by their dominant tag
        top = [w for w in space.index_to_key if is_content_tag(space.tags.get(w))][:pca_top_n]
        title = f"PCA of the {len(top)} most frequent content words"
    else:
        top = [w for w in space.index_to_key if w != EOS and analyses.is_word_like(w)][:pca_top_n]
        title = f"PCA of the {len(top)} most frequent words"
    if len(top) >= 3:
        images["pca_top"] = figures.pca_png(top, np.stack([space.get_vector(w) for w in top]), title)


def _sentiment_section(metrics: dict, torch_embedding, tokens, labels, settings: dict, seed: int) -> None:
    probe = _probe(torch_embedding, tokens, labels, settings, seed)
    if probe is not None:
        metrics["sentiment_probe"] = probe


def _probe(embedding, tokens, labels, settings: dict, seed: int) -> dict | None:
    """The sentiment probe on ``embedding``'s sentence vectors (None without labelled documents)."""
    if not (Path(labels).is_file() and Path(labels).stat().st_size):
        return None
    texts, document_labels = analyses.probe_documents(tokens, labels, settings["max_documents"], seed)
    if not texts:
        return None
    sentence_vectors = embedding.sentence_vectors(texts).numpy()
    return analyses.sentiment_probe(
        sentence_vectors,
        document_labels,
        settings["negative_max"],
        settings["positive_min"],
        settings["test_share"],
        seed,
    )


def _compression_section(metrics: dict, images: dict, full, compact_weights, context: dict) -> None:
    """Each compact model against the full one: size, what it keeps, its own parity (torch loader
    vs the numpy reference decoding) and the quality it keeps."""
    from morphvec.compress import CompactReference, cosine_to_full
    from morphvec.evaluation import TorchVectors
    from morphvec.fasttext_torch import FastTextEmbedding
    from morphvec.parity import check_compact_parity, make_oov_words, sample_in_vocab

    rng = random.Random(context["seed"])
    words = sample_in_vocab(full.vocab, context["samples"], rng)
    unseen = make_oov_words(full.vocab, context["samples"], rng)
    rows = {}
    for weights in sorted(compact_weights):
        directory = Path(weights).parent
        compact = FastTextEmbedding.load(directory)
        quality = evaluate(TorchVectors(directory), context["similarity"], context["analogy"])
        for result in quality["similarity"].values():
            result.pop("scored_pairs", None)
        row = read_json(directory / "stats.json")
        row["bytes_share"] = round(row["bytes"] / context["full_bytes"], 6)
        row["cosine_to_full"] = {
            "kept_words": cosine_to_full(compact, full, [w for w in words if w in compact.key_to_index]),
            "dropped_words": cosine_to_full(compact, full, [w for w in words if w not in compact.key_to_index]),
            "unseen_words": cosine_to_full(compact, full, unseen),
        }
        row["quality"] = quality
        row["sentiment_probe"] = _probe(
            compact, context["tokens"], context["labels"], context["probe"], context["seed"]
        )
        reference = CompactReference(directory)
        row["parity"] = check_compact_parity(
            compact, reference, full.vocab, context["tokens"], context["samples"], context["tolerance"], context["seed"]
        )
        rows[row["variant"]] = row
    metrics["compression"] = {"full_bytes": context["full_bytes"], "variants": rows}
    points = [("full", context["full_bytes"], headline_scores(metrics["quality"])["rho"])]
    points += [(name, row["bytes"], headline_scores(row["quality"])["rho"]) for name, row in rows.items()]
    images["compression"] = figures.compression_png(points)


def _finetune_section(metrics: dict, finetune_model, finetune_stats, similarity, analogy, probe_words) -> None:
    from gensim.models import Word2Vec

    w2v = Word2Vec.load(str(finetune_model), mmap="r").wv
    quality = evaluate(w2v, similarity, analogy)
    for result in quality["similarity"].values():
        result.pop("scored_pairs", None)
    metrics["finetune_word2vec"] = {**read_json(finetune_stats), "quality": quality}
    metrics["finetune_word2vec"]["neighbours"] = nearest_neighbours(w2v, probe_words)


def _write_outputs(metrics: dict, images: dict, view: dict, metrics_path, html_path, plots_dir) -> None:
    Path(plots_dir).mkdir(parents=True, exist_ok=True)
    for name, png in images.items():
        with atomic_path(Path(plots_dir) / f"{name}.png", suffix=".png") as tmp:
            Path(tmp).write_bytes(png)
    write_json(metrics_path, metrics)
    page = render.render("report.html.j2", m=metrics, view=view)
    with atomic_open(html_path) as out:
        out.write(page)


def _view(metrics: dict, images: dict, settings: dict) -> dict:
    """What the page shows beyond metrics.json: figures, provenance and derived labels.

    No dates or durations: the page is an artefact that a rerun must reproduce byte for byte;
    times live in the logs and ``benchmarks/`` (and the summary across runs).
    """
    return {
        "images": {name: render.png_data_uri(png) for name, png in images.items()},
        "summary_link": "../../summary.html",
        "manifest_link": "../ro-crate-metadata.json",
        "source": provenance.source(),
        "versions": provenance.versions(),
        "platform": provenance.platform_name(),
        "config_yaml": _yaml(settings),
        "sections_shown": {name: len(result["sections"]) > 1 for name, result in metrics["quality"]["analogy"].items()},
    }


def _check_corpus_is_the_configured_one(corpus: dict, settings: dict, token_stats) -> None:
    """A report must never name data it did not read: the tokens come from the configured corpus."""
    configured_path = settings.get("corpus", {}).get("path")
    if configured_path and os.path.realpath(configured_path) != os.path.realpath(corpus["corpus"]):
        raise UserInputError(
            f"{token_stats}: the tokens were made from {corpus['corpus']}, but the config names {configured_path}",
            "rerun tokenization: `snakemake --forcerun tokenize_corpus` (Snakemake normally does this itself)",
        )


def _inputs_read(corpus: dict, similarity: dict, analogy: dict, finetune_stats) -> dict:
    """Every input file this report's numbers come from, with size and SHA-256."""
    inputs = {"corpus": corpus.get("corpus_file") or {"path": corpus["corpus"]}}
    for kind, files in (("similarity", similarity), ("analogy", analogy)):
        for name, path in files.items():
            inputs[f"{kind}:{name}"] = provenance.file_record(path)
    if finetune_stats is not None:
        inputs["pretrained"] = read_json(finetune_stats)["pretrained_file"]
    return inputs


def _yaml(data: dict) -> str:
    import yaml

    return yaml.safe_dump(data, allow_unicode=True, sort_keys=True)  # one order, however the config was written


@configured("evaluation")
def write_report(
    tokens: str | Path,
    token_stats: str | Path,
    token_counts: str | Path,
    labels: str | Path,
    model_bin: str | Path,
    train_stats: str | Path,
    word_vectors: str | Path,
    ngram_vectors: str | Path,
    vocab: str | Path,
    ngram_settings: str | Path,
    output_vectors: str | Path,
    torch_weights: str | Path,
    torch_vocab: str | Path,
    torch_loader: str | Path,
    metrics: str | Path,
    report_html: str | Path,
    plots: str | Path,
    finetune_model: str | Path | None = None,
    finetune_stats: str | Path | None = None,
    input_files: list[str] | None = None,
    compact_weights: list[str] | None = None,
    *,
    run: str,
    settings: dict | None = None,
    similarity: dict[str, str] = SCHEMA_DEFAULT,
    analogy: dict[str, str] = SCHEMA_DEFAULT,
    probe_words: list[str] = SCHEMA_DEFAULT,
    pca_words: list[str] = SCHEMA_DEFAULT,
    pca_top_n: int = SCHEMA_DEFAULT,
    sentiment_probe: dict = SCHEMA_DEFAULT,
    samples: int = SCHEMA_DEFAULT,
    tolerance: float = SCHEMA_DEFAULT,
    seed: int = SCHEMA_DEFAULT,
) -> dict:
    """Per-run report: fastText <-> gensim <-> torch parity, quality scores, plots.

    The torch export is read from the directory of ``torch_weights``, ``torch_vocab`` and
    ``torch_loader`` (named so that a change to any reruns the report).  ``labels`` may be empty
    (a corpus without labels: no sentiment probe);
    ``input_files`` are the run's own inputs (corpus, evaluation files, pretrained vectors), listed
    so that a workflow reruns the report when they change and stops when one is gone: a report
    never names data it did not read.  gensim's side is read from the extracted arrays, not from
    a pickle.  ``settings`` is the run's config, recorded in metrics.json.
    """
    metrics_path, plots_dir = metrics, plots
    corpus = read_json(token_stats)
    _check_corpus_is_the_configured_one(corpus, settings or {}, token_stats)
    vector_files = (word_vectors, ngram_vectors, vocab, ngram_settings)
    open_fasttext, wv, torch_embedding = _load_models(model_bin, vector_files, torch_weights)
    parity = check_parity(open_fasttext, wv, torch_embedding, tokens, samples, tolerance, seed)
    if not parity["passed"]:
        log.warning("parity FAILED: max abs diff %.3g > tolerance %.3g", parity["max_abs_diff"], tolerance)
    space = _space(wv, output_vectors, token_counts, corpus)
    quality = evaluate(space, similarity, analogy)
    images = {
        f"similarity_{name}": figures.similarity_scatter_png(name, result.pop("scored_pairs"), set(space.key_to_index))
        for name, result in quality["similarity"].items()
    }
    report = {"run": run, "settings": settings or {}, "corpus": corpus, "training": read_json(train_stats)}
    report.update(vocabulary_size=len(space.index_to_key), parity=parity, quality=quality)
    report.update(_neighbour_views(space, probe_words))
    report["inputs"] = _inputs_read(corpus, similarity, analogy, finetune_stats)
    _corpus_section(report, images, token_counts, run)
    _pca_section(images, space, pca_words, pca_top_n)
    if Path(labels).is_file() and Path(labels).stat().st_size:
        _sentiment_section(report, torch_embedding, tokens, labels, sentiment_probe, seed)
    if finetune_model is not None:
        _finetune_section(report, finetune_model, finetune_stats, similarity, analogy, probe_words)
    if compact_weights:  # each beside its stats.json, vocabulary and loader
        context = {"tokens": tokens, "labels": labels, "similarity": similarity, "analogy": analogy}
        context.update(probe=sentiment_probe, samples=samples, tolerance=tolerance, seed=seed)
        context["full_bytes"] = Path(torch_weights).stat().st_size
        _compression_section(report, images, torch_embedding, compact_weights, context)
    view = _view(report, images, settings or {})
    _write_outputs(report, images, view, metrics_path, report_html, plots_dir)
    log.info("parity max abs diff %.2e (%s)", parity["max_abs_diff"], "pass" if parity["passed"] else "FAIL")
    return {"parity_passed": parity["passed"], "metrics": str(metrics_path)}
