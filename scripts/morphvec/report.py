"""The per-run report: parity, corpus, quality, probe and plots in ``metrics.json`` and a page.

``metrics.json`` is machine-readable: ``parity`` (see :mod:`morphvec.parity`), ``quality``
(:func:`morphvec.evaluation.evaluate`: similarity ρ on in-vocabulary pairs and, with subword
vectors, on all pairs, and composed from morphemes for eojeol; analogies in gensim's, the
OOV-aware and the eojeol protocol; vocabulary coverage), ``corpus`` and ``corpus_profile``,
``training``, ``neighbours``, ``neighbours_content`` (content words by their dominant tag) and
``neighbours_in_out`` (IN-OUT: words that occur with the probe; see :mod:`morphvec.query`),
``sentiment_probe`` when the corpus has labels, and ``finetune_word2vec`` when it ran.
``report.html`` shows the same through ``templates/report.html.j2``; the figures also go to a
directory that ``snakemake --report`` collects.  Each part comes from one section function over a
:class:`RunContext` (the run's files by layout name, its settings, its models opened once), which
returns the metrics and figures it adds; :data:`SECTIONS` lists them in the order they run.
"""

import functools
import logging
import os
import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from morphvec import analyses, formats, provenance, render
from morphvec import plots as figures
from morphvec.corpus import read_token_counts, read_token_tags
from morphvec.evaluation import (
    eojeol_candidates,
    evaluate,
    evaluate_sentences,
    headline_scores,
    nearest_neighbours,
    read_sentence_pairs,
    space_encoder,
    tokens_unknown_share,
)
from morphvec.parity import check_parity
from morphvec.query import Space
from morphvec.runtime import (
    UserInputError,
    atomic_open,
    atomic_path,
    memory_mib,
    read_json,
    release_memory,
    require_file,
    write_json,
)
from morphvec.schema import SCHEMA_DEFAULT, configured
from morphvec.tokenizers import is_content_tag
from morphvec.vectors import EOS

log = logging.getLogger("morphvec.report")

NEIGHBOURS = 10


@dataclass
class RunContext:
    """One run as the report sections see it: its files by layout name (lists for
    ``compact_weights`` and ``input_files``), its settings and evaluation settings, and the
    models, opened once, when a section first asks (gensim's side pickle-free and memory-mapped
    from the extracted arrays, the torch export memory-mapped)."""

    run: str
    files: dict
    settings: dict
    evaluation: dict
    corpus: dict = field(init=False)

    def __post_init__(self) -> None:
        self.corpus = read_json(self.file("token_stats", "run the tokenize step"))

    def file(self, name: str, fix: str = "rerun the workflow") -> Path:
        if self.files.get(name) is None:
            raise UserInputError(f"the report needs the run's {name} file", f"give --input {name}=PATH or --run-dir")
        return require_file(self.files[name], name.replace("_", " "), fix)

    def optional(self, name: str):
        return self.files.get(name) or None

    @functools.cached_property
    def wv(self):
        names = ("word_vectors", "ngram_vectors", "vocab", "ngram_settings")
        return formats.open_fasttext_vectors(*(self.file(name, "run extract_vectors") for name in names))

    @functools.cached_property
    def torch_embedding(self):
        return formats.open_torch_export(self.file("torch_weights", "run export_torch"))

    @functools.cached_property
    def static(self) -> formats.StaticVectors:
        return formats.StaticVectors(self.file("static_weights", "run export_static").parent)

    @functools.cached_property
    def static_sif(self) -> formats.StaticVectors | None:
        """The SIF flavour of the static export (None for a run from before it had one)."""
        folder = self.optional("static_sif")
        return formats.StaticVectors(folder) if folder and Path(folder).is_dir() else None

    @functools.cached_property
    def static_tuned(self) -> formats.StaticVectors | None:
        """The tuned flavour (tune_static), when the run has the step on."""
        folder = self.optional("static_tuned")
        return formats.StaticVectors(folder) if folder and Path(folder).is_dir() else None

    @functools.cached_property
    def space(self) -> Space:
        """gensim's vectors as a query Space: the run's tokenizer (eojeol queries: the words the
        report asks for, cut ahead of time in :attr:`cut_words`), its tags, its output vectors."""
        output = formats.read_output_vectors(self.file("output_vectors", "run extract_vectors"))
        space = Space(self.wv, output, None, read_token_tags(self.file("token_counts")))
        space.tokenizer = self.cut_words
        return space

    @functools.cached_property
    def cut_words(self):
        """Every word the report may cut into morphemes (the evaluation files', the probe and PCA
        words), cut by the run's tokenizer in a process that has ended (see
        :class:`morphvec.tokenize.CutWords`); None for a whitespace corpus.  The first section
        asks for it, before fastText or torch is open, so that the analyser never sits beside them."""
        from morphvec.evaluation import read_analogy_questions, read_similarity_pairs, sentence_texts
        from morphvec.tokenize import CutWords

        if self.corpus["tokenizer"] == "whitespace":
            return None
        words = {*self.evaluation["probe_words"], *self.evaluation["pca_words"], *self.eojeol_words}
        for path in self.evaluation["similarity"].values():
            words.update(word for a, b, _ in read_similarity_pairs(path) for word in (a, b))
        for path in self.evaluation["analogy"].values():
            words.update(word for _, question in read_analogy_questions(path) for word in question)
        words.update(sentence_texts(self.evaluation["sts"]))  # whole sentences, cut as the corpus was
        return CutWords.of_run(words, self.corpus)

    @functools.cached_property
    def eojeol_words(self) -> list[str]:
        """The eojeol analogy protocol's candidates beside the tokens: the corpus' eojeol seen at
        least ``eojeol_min_count`` times (none for a whitespace corpus or a run from before the
        tokenize step counted them)."""
        if self.corpus["tokenizer"] == "whitespace" or not self.evaluation["analogy"]:
            return []
        counts = self.optional("eojeol_counts")
        if counts is None or not Path(counts).is_file():
            log.warning("no eojeol counts (rerun tokenize_corpus): eojeol analogy answers among the tokens only")
            return []
        return eojeol_candidates(counts, self.evaluation["eojeol_min_count"])

    def close_space(self) -> None:
        """Let gensim's vectors and the query space go (their matrices and tables, ~200 MB on full
        NSMC) once no section reads them; asked for again, they are opened again."""
        space = self.__dict__.pop("space", None)
        if space is not None:
            Space.unit_matrix.cache_clear()  # the cache holds every Space it served
        self.__dict__.pop("wv", None)

    @functools.cached_property
    def quality(self) -> dict:
        """Similarity and analogy scores (with each similarity file's scored pairs, for its figure)."""
        evaluation = self.evaluation
        return evaluate(
            self.space,
            evaluation["similarity"],
            evaluation["analogy"],
            self.eojeol_words,
            evaluation["eojeol_min_count"],
        )

    @property
    def has_labels(self) -> bool:
        """Whether the documents have labels (the labels file is empty for a corpus without)."""
        labels = self.optional("labels")
        return labels is not None and Path(labels).is_file() and Path(labels).stat().st_size > 0


Part = tuple[dict, dict]  # (metrics, images) a section adds


def parity_section(ctx: RunContext) -> Part:
    """fastText <-> gensim <-> torch <-> static on seeded samples: fastText's model is opened,
    used and released inside the check, before torch is (fastText holds its whole matrix; the
    others are memory-mapped)."""
    evaluation = ctx.evaluation
    open_fasttext = functools.partial(formats.open_fasttext_model, ctx.file("model_bin", "run train_fasttext"))
    if getattr(ctx.wv, "subwords", "fasttext") != "fasttext":
        open_fasttext = None  # the .bin holds this model's rows, not its subword scheme
    parity = check_parity(
        open_fasttext,
        ctx.wv,
        lambda: ctx.torch_embedding,
        ctx.file("tokens"),
        evaluation["samples"],
        evaluation["tolerance"],
        evaluation["seed"],
        lambda: ctx.static,
    )
    if not parity["passed"]:
        log.warning(
            "parity FAILED: max abs diff %.3g > tolerance %.3g", parity["max_abs_diff"], evaluation["tolerance"]
        )
    return {"parity": parity}, {}


def quality_section(ctx: RunContext) -> Part:
    """Similarity and analogies in every protocol, and a scatter figure per similarity file."""
    quality = ctx.quality
    known = set(ctx.space.key_to_index)
    images = {
        f"similarity_{name}": figures.similarity_scatter_png(
            name, result.pop("scored_pairs"), known, result["spearman"], result.get("spearman_all_pairs_subword")
        )
        for name, result in quality["similarity"].items()
    }
    return {"quality": quality, "vocabulary_size": len(ctx.space.index_to_key)}, images


def sentences_section(ctx: RunContext) -> Part:
    """Sentence similarity on each ``evaluation.sts`` file: fastText's sentence vectors (gensim's
    side, n-gram vectors for unknown tokens), the static export's and its SIF flavour's (unknown
    tokens dropped), each on raw and on analysed input, beside the model-free baseline."""
    if not ctx.evaluation["sts"]:
        return {}, {}
    space, static = ctx.space, ctx.static

    def fasttext_knows(token: str) -> bool:
        return space.lookup(space.unit.to_display(token)) is not None

    encoders = {"fasttext_mean": space_encoder(space), "static_mean": static.sentence_vectors}
    unknown = {
        "fasttext_mean": lambda texts: tokens_unknown_share(texts, fasttext_knows),
        "static_mean": static.unknown_share,
    }
    if ctx.static_sif is not None:  # the same rows, weighted: the same tokens unknown
        encoders["static_sif"] = ctx.static_sif.sentence_vectors
    if ctx.static_tuned is not None:
        encoders["static_tuned"] = ctx.static_tuned.sentence_vectors
    cut = ctx.cut_words
    analyse = (lambda sentence: [token for token, _ in cut(sentence)]) if cut is not None else None
    # raw text through a static flavour should give what the analysed text gives: for the parity
    # flavour, fastText's vector; for the SIF one, its own
    references = {"static_mean": "fasttext_mean", "static_sif": "static_sif", "static_tuned": "static_tuned"}
    scored = {
        name: evaluate_sentences(read_sentence_pairs(path), encoders, analyse, unknown, references)
        for name, path in ctx.evaluation["sts"].items()
    }
    found = {"sentence_similarity": scored}
    if ctx.static_sif is not None:  # the flavour's settings, beside its figures
        found["static_sif"] = read_json(Path(ctx.optional("static_sif")) / "stats.json")["sif"]
    found["static_raw_text"] = read_json(ctx.file("static_stats")).get("raw_text")
    if ctx.static_tuned is not None:  # how it was trained, beside its figures
        found["static_tuned"] = read_json(Path(ctx.optional("static_tuned")) / "stats.json")["tuned"]
    return found, {}


def neighbours_section(ctx: RunContext) -> Part:
    """Nearest neighbours among all words, among content words (each token's dominant tag), and
    in the IN-OUT space (words that occur with the probe)."""
    space, words = ctx.space, ctx.evaluation["probe_words"]
    content = bool(space.tags)
    return {
        "neighbours": nearest_neighbours(space, words, NEIGHBOURS),
        "neighbours_content": nearest_neighbours(space, words, NEIGHBOURS, content_only=True) if content else {},
        "neighbours_in_out": nearest_neighbours(space, words, NEIGHBOURS, "in-out", content_only=content),
    }, {}


def inputs_section(ctx: RunContext) -> Part:
    """Every input file this report's numbers come from, with size and SHA-256."""
    inputs = {"corpus": ctx.corpus.get("corpus_file") or {"path": ctx.corpus["corpus"]}}
    for kind in ("similarity", "analogy", "sts"):
        for name, path in ctx.evaluation[kind].items():
            inputs[f"{kind}:{name}"] = provenance.file_record(path)
    if ctx.optional("finetune_stats") is not None:
        inputs["pretrained"] = read_json(ctx.file("finetune_stats"))["pretrained_file"]
    return {"inputs": inputs}, {}


def corpus_section(ctx: RunContext) -> Part:
    """The corpus profile: Zipf's curve and token lengths."""
    counts = read_token_counts(ctx.file("token_counts"))
    profile = analyses.corpus_profile(counts)
    images = {
        "zipf": figures.zipf_png(counts, ctx.run),
        "token_lengths": figures.token_length_png(profile["token_length_histogram"], ctx.run),
    }
    return {"corpus_profile": profile}, images


def pca_section(ctx: RunContext) -> Part:
    """PCA of the chosen words (those the model has a vector for) and of the most frequent
    (content) words; a one-dimensional model has no second component to plot."""
    space, images = ctx.space, {}
    if space.vectors.shape[1] < 2:
        return {"pca": {"skipped": f"the vectors have {space.vectors.shape[1]} dimension: a 2-D PCA needs two"}}, {}
    chosen = [w for w in ctx.evaluation["pca_words"] if w and _has_vector(space, w)]
    if len(chosen) >= 3:
        vectors = np.stack([space.get_vector(w) for w in chosen])
        images["pca_words"] = figures.pca_png(chosen, vectors, "PCA of the chosen words (subword vectors for OOV)")
    top_n = ctx.evaluation["pca_top_n"]
    if space.tags:  # content words by their dominant tag
        top = [w for w in space.index_to_key if is_content_tag(space.tags.get(w), space.content_tags)][:top_n]
        title = f"PCA of the {len(top)} most frequent content words"
    else:
        top = [w for w in space.index_to_key if w != EOS and analyses.is_word_like(w)][:top_n]
        title = f"PCA of the {len(top)} most frequent words"
    if len(top) >= 3:
        images["pca_top"] = figures.pca_png(top, np.stack([space.get_vector(w) for w in top]), title)
    ctx.close_space()  # the last section that reads gensim's vectors
    return {}, images


def _has_vector(space: Space, word: str) -> bool:
    """Whether the model has a vector for ``word`` (a model without subwords has none for unknown words)."""
    try:
        space.get_vector(word)
    except KeyError:
        return False
    return True


def _probe(ctx: RunContext, embedding, unit: bool = False) -> dict | None:
    """The sentiment probe on ``embedding``'s sentence vectors (None without labelled documents),
    scaled to unit length with ``unit``."""
    if not ctx.has_labels:
        return None
    settings, seed = ctx.evaluation["sentiment_probe"], ctx.evaluation["seed"]
    texts, labels = analyses.probe_documents(ctx.file("tokens"), ctx.file("labels"), settings["max_documents"], seed)
    if not texts:
        return None
    sentence_vectors = np.asarray(embedding.sentence_vectors(texts))  # torch's tensor, or a static table's array
    if unit:
        norms = np.linalg.norm(sentence_vectors, axis=1, keepdims=True)
        sentence_vectors = np.divide(sentence_vectors, norms, out=np.zeros_like(sentence_vectors), where=norms > 0)
    return analyses.sentiment_probe(
        sentence_vectors, labels, settings["negative_max"], settings["positive_min"], settings["test_share"], seed
    )


def sentiment_section(ctx: RunContext) -> Part:
    """Logistic regression on the torch export's sentence vectors, when the corpus has labels, and
    on the static export's SIF and tuned flavours (the same documents and split; their vectors at
    unit length, since a flavour's scale is arbitrary: SIF rows are short, and the regression's
    fixed regularisation would weigh them down)."""
    probe = _probe(ctx, ctx.torch_embedding)
    if probe is None:
        return {}, {}
    found = {"sentiment_probe": probe}
    if ctx.static_sif is not None and "accuracy" in probe:
        found["sentiment_probe_sif"] = _probe(ctx, ctx.static_sif, unit=True)
    if ctx.static_tuned is not None and "accuracy" in probe:
        found["sentiment_probe_tuned"] = _probe(ctx, ctx.static_tuned, unit=True)
    return found, {}


def finetune_section(ctx: RunContext) -> Part:
    """The word2vec model fine-tuned from pretrained vectors (the run's own pickle), when it ran."""
    if ctx.optional("finetune_model") is None:
        return {}, {}
    w2v = formats.open_gensim(ctx.file("finetune_model"), trust_pickle=True).wv  # written by this run
    quality = evaluate(w2v, ctx.evaluation["similarity"], ctx.evaluation["analogy"])
    for result in quality["similarity"].values():
        result.pop("scored_pairs", None)
    finetuned = {**read_json(ctx.file("finetune_stats")), "quality": quality}
    finetuned["neighbours"] = nearest_neighbours(w2v, ctx.evaluation["probe_words"])
    return {"finetune_word2vec": finetuned}, {}


def compression_section(ctx: RunContext) -> Part:
    """Each compact model against the full one: size, what it keeps, its own parity (torch loader
    vs the numpy reference decoding) and the quality it keeps."""
    from morphvec.parity import check_compact_parity, make_oov_words, sample_in_vocab

    compact_weights = ctx.optional("compact_weights")
    if not compact_weights:  # each beside its stats.json, vocabulary and loader
        return {}, {}
    evaluation, full = ctx.evaluation, ctx.torch_embedding
    full_bytes = Path(ctx.file("torch_weights")).stat().st_size
    rng = random.Random(evaluation["seed"])
    words = sample_in_vocab(full.vocab, evaluation["samples"], rng)
    unseen = make_oov_words(full.vocab, evaluation["samples"], rng)
    rows = {}
    for weights in sorted(compact_weights):
        directory = Path(weights).parent
        vectors = formats.TorchVectors(directory)  # one load of each compact model, for every measure
        compact = vectors.embedding
        quality = evaluate(vectors, evaluation["similarity"], evaluation["analogy"])
        for result in quality["similarity"].values():
            result.pop("scored_pairs", None)
        row = read_json(directory / "stats.json")
        row["bytes_share"] = round(row["bytes"] / full_bytes, 6)
        row["cosine_to_full"] = {
            "kept_words": analyses.cosine_to_full(compact, full, [w for w in words if w in compact.key_to_index]),
            "dropped_words": analyses.cosine_to_full(
                compact, full, [w for w in words if w not in compact.key_to_index]
            ),
            "unseen_words": analyses.cosine_to_full(compact, full, unseen),
        }
        row["quality"] = quality
        row["sentiment_probe"] = _probe(ctx, compact)
        row["parity"] = check_compact_parity(
            compact,
            formats.CompactReference(directory),
            full.vocab,
            ctx.file("tokens"),
            evaluation["samples"],
            evaluation["tolerance"],
            evaluation["seed"],
        )
        rows[row["variant"]] = row
    points = [("full", full_bytes, headline_scores(ctx.quality)["rho"])]
    points += [(name, row["bytes"], headline_scores(row["quality"])["rho"]) for name, row in rows.items()]
    return {"compression": {"full_bytes": full_bytes, "variants": rows}}, {
        "compression": figures.compression_png(points)
    }


# The report's sections in the order they run (parity first: fastText's model is released before
# the rest opens anything else).  A new section is a function here, listed below, and a block in
# templates/report.html.j2.
SECTIONS = (
    parity_section,
    quality_section,
    sentences_section,
    neighbours_section,
    inputs_section,
    corpus_section,
    pca_section,
    sentiment_section,
    finetune_section,
    compression_section,
)


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
        "images": {
            name: {"src": render.png_data_uri(png), "width": figures.shown_width(png), "alt": _caption(name)}
            for name, png in images.items()
        },
        "summary_link": "../../summary.html",
        "manifest_link": "../ro-crate-metadata.json",
        "source": provenance.source(),
        "versions": provenance.versions(),
        "platform": provenance.platform_name(),
        "config_yaml": _yaml(settings),
        "sections_shown": {name: len(result["sections"]) > 1 for name, result in metrics["quality"]["analogy"].items()},
    }


def _yaml(data: dict) -> str:
    import yaml

    return yaml.safe_dump(data, allow_unicode=True, sort_keys=True)  # one order, however the config was written


# What each figure shows, for its alt text (by name, or by the prefix before "_<set>").
CAPTIONS = {
    "zipf": "Zipf plot: token frequency against rank, log-log, with the tokens of a few ranks",
    "token_lengths": "histogram of token lengths in characters",
    "pca_words": "2-D PCA of the chosen words, each point labelled",
    "pca_top": "2-D PCA of the most frequent words, each point labelled",
    "compression": "export size against word-similarity rho: the full model and each compact one",
    "similarity": "human similarity score against the model's cosine for every pair of",
}


def _caption(name: str) -> str:
    if name in CAPTIONS:
        return CAPTIONS[name]
    prefix, _, rest = name.partition("_")
    return f"{CAPTIONS[prefix]} {rest}"


def _check_corpus_is_the_configured_one(ctx: RunContext) -> None:
    """A report must never name data it did not read: the tokens come from the configured corpus."""
    corpus = ctx.corpus
    configured_path = ctx.settings.get("corpus", {}).get("path")
    if configured_path and os.path.realpath(configured_path) != os.path.realpath(corpus["corpus"]):
        raise UserInputError(
            f"{ctx.files['token_stats']}: the tokens were made from {corpus['corpus']}, "
            f"but the config names {configured_path}",
            "rerun tokenization: `snakemake --forcerun tokenize_corpus` (Snakemake normally does this itself)",
        )


@configured()
def write_report(
    inputs: dict,
    metrics: str | Path,
    report_html: str | Path,
    plots: str | Path,
    *,
    run: str,
    settings: dict | None = None,
    evaluation: dict = SCHEMA_DEFAULT,
) -> dict:
    """Per-run report: fastText <-> gensim <-> torch parity, quality scores, plots.

    ``inputs`` are the run's files by their layout names (``tokens``, ``model_bin``, the extracted
    arrays, the torch export's ``torch_weights``/``torch_vocab``/``torch_loader``, the optional
    ``finetune_model``/``finetune_stats``, the ``compact_weights`` list, and ``input_files``:
    the run's own inputs, listed so that a workflow reruns the report when they change and stops
    when one is gone).  ``labels`` may be empty (a corpus without labels: no sentiment probe).
    gensim's side is read from the extracted arrays, not from a pickle.  ``settings`` is the
    run's config, recorded in metrics.json; ``evaluation`` its evaluation section.
    """
    ctx = RunContext(run, dict(inputs), settings or {}, evaluation)
    _check_corpus_is_the_configured_one(ctx)
    report = {
        "run": run,
        "settings": ctx.settings,
        "corpus": ctx.corpus,
        "training": read_json(ctx.file("train_stats")),
    }
    images: dict = {}
    ctx.cut_words  # noqa: B018 (the analyser's process runs now, before any model is open)
    log.info("words cut ahead of time: RSS %.0f MiB, peak %.0f MiB", *memory_mib())
    for section in SECTIONS:
        part, figures_made = section(ctx)
        report.update(part)
        images.update(figures_made)
        release_memory()
        log.info("after %s: RSS %.0f MiB, peak %.0f MiB", section.__name__, *memory_mib())
    view = _view(report, images, ctx.settings)
    _write_outputs(report, images, view, metrics, report_html, plots)
    parity = report["parity"]
    log.info("parity max abs diff %.2e (%s)", parity["max_abs_diff"], "pass" if parity["passed"] else "FAIL")
    return {"parity_passed": parity["passed"], "metrics": str(metrics)}
