"""Per-run report: fastText <-> gensim <-> torch parity, quality scores, plots.

Writes ``metrics.json`` (machine-readable; key layout below) and ``report.html`` (a
self-contained page with the same numbers and the plots embedded).

Parity: for samples of in-vocabulary words, out-of-vocabulary words and documents, the
maximum absolute difference between the vectors that fastText (``get_word_vector``,
``get_sentence_vector``), gensim (``wv.get_vector``, ``wv.get_sentence_vector``) and the torch
loader compute, under ``parity.<a>_vs_<b>.{in_vocab,oov,sentence}_max_abs_diff``.

Out-of-vocabulary words are words the model never saw, made from its own alphabet so that
they are Korean for a Korean corpus: half are two vocabulary words glued together, half random
strings of the vocabulary's characters; none is in the vocabulary.

Quality: ``quality.similarity.<name>.{spearman,coverage}`` (in-vocabulary pairs, and all
pairs with subword vectors), ``quality.analogy.<name>.{accuracy,coverage}`` (gensim's protocol)
and ``quality.analogy_subword`` (OOV-aware), the evaluation sets' vocabulary coverage, a
sentiment probe when the corpus has labels, nearest neighbours of the probe words, PCA plots,
and the same scores for the fine-tuned word2vec if it ran.  Corpus: token counts, a Zipf plot
and the token-length histogram.  The PNGs are also written to a directory that
``snakemake --report`` collects.
"""

import argparse
import base64
import html
import json
import logging
import random
import sys
from collections.abc import Iterable
from pathlib import Path

import numpy as np

import report_plots
from evaluate_vectors import evaluate, nearest_neighbours
from extract_vectors import EOS
from pipeline_io import atomic_open, atomic_path, read_json, require_file, run_step, snakemake_log, write_json

log = logging.getLogger("morphvec.report")

# --- samples -------------------------------------------------------------------------------


def sample_in_vocab(vocab: list[str], n: int, rng: random.Random) -> list[str]:
    """Up to ``n`` vocabulary words (not the ``</s>`` line-break marker, which gensim and
    fastText treat differently: see ``extract_vectors.fasttext_word_vectors``)."""
    words = [w for w in vocab if w != EOS]
    return rng.sample(words, min(n, len(words)))


def make_oov_words(vocab: list[str], n: int, rng: random.Random) -> list[str]:
    """``n`` words that are not in ``vocab``, built from its words and characters."""
    known = set(vocab)
    words = [w for w in vocab if w != EOS]
    alphabet = sorted({c for w in words for c in w if not c.isspace()})
    found: dict[str, None] = {}
    attempts = 0
    while len(found) < n and attempts < 100 * n and words:
        attempts += 1
        if len(found) % 2 == 0:
            candidate = rng.choice(words) + rng.choice(words)
        else:
            candidate = "".join(rng.choice(alphabet) for _ in range(rng.randint(2, 5)))
        if candidate not in known:
            found[candidate] = None
    return list(found)


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


# --- parity --------------------------------------------------------------------------------


def library_vectors(ft_model, wv, torch_embedding, words, documents) -> dict[str, dict[str, np.ndarray]]:
    """Word and sentence vectors from each library: ``{library: {kind: matrix}}``."""
    in_vocab, oov = words
    out: dict[str, dict[str, np.ndarray]] = {}
    out["fasttext"] = {
        "in_vocab": np.stack([ft_model.get_word_vector(w) for w in in_vocab]),
        "oov": np.stack([ft_model.get_word_vector(w) for w in oov]),
        "sentence": np.stack([ft_model.get_sentence_vector(" ".join(d)) for d in documents]),
    }
    out["gensim"] = {
        "in_vocab": np.stack([wv.get_vector(w) for w in in_vocab]),
        "oov": np.stack([wv.get_vector(w) for w in oov]),
        "sentence": np.stack([wv.get_sentence_vector(d) for d in documents]),
    }
    out["torch"] = {
        "in_vocab": torch_embedding.word_vectors(in_vocab).detach().numpy(),
        "oov": torch_embedding.word_vectors(oov).detach().numpy(),
        "sentence": torch_embedding.sentence_vectors(documents).detach().numpy(),
    }
    return out


def parity_table(vectors: dict[str, dict[str, np.ndarray]], tolerance: float) -> dict:
    table: dict = {"tolerance": tolerance}
    worst = 0.0
    libraries = list(vectors)
    for i, a in enumerate(libraries):
        for b in libraries[i + 1 :]:
            row = {}
            for kind in ("in_vocab", "oov", "sentence"):
                diff = np.abs(vectors[a][kind].astype(np.float64) - vectors[b][kind].astype(np.float64))
                value = float(np.nanmax(diff)) if diff.size else 0.0
                if np.isnan(diff).any():
                    value = float("inf")
                row[f"{kind}_max_abs_diff"] = value
                worst = max(worst, value)
            table[f"{a}_vs_{b}"] = row
    table["max_abs_diff"] = worst
    table["passed"] = bool(worst <= tolerance)
    return table


# --- HTML ----------------------------------------------------------------------------------

STYLE = (
    "body{font-family:system-ui,'Noto Sans KR','NanumGothic',sans-serif;max-width:1000px;margin:2em auto;"
    "padding:0 1em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;"
    "padding:.3em .6em;text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}"
    ".pass{color:#17702a;font-weight:bold}.fail{color:#b00020;font-weight:bold}img{max-width:100%}"
    ".figs{display:flex;flex-wrap:wrap;gap:1em}small{color:#555}"
)


def _fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1e-3 and value != 0 else f"{value:.4f}"
    if isinstance(value, int):
        return f"{value:,}"
    return html.escape(str(value))


def _table(header: list[str], rows: list[list]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_fmt(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _img(name: str, png: bytes) -> str:
    return f"<img alt='{html.escape(name)}' src='data:image/png;base64,{base64.b64encode(png).decode('ascii')}'>"


def _neighbours_table(neighbours: dict) -> str:
    rows = []
    for word, found in neighbours.items():
        text = "–" if not found else ", ".join(f"{html.escape(w)} {s:.2f}" for w, s in found)
        rows.append(f"<tr><td>{html.escape(word)}</td><td style='text-align:left'>{text}</td></tr>")
    return "<table><tr><th>probe</th><th>nearest neighbours (cosine)</th></tr>" + "".join(rows) + "</table>"


def _quality_section(title: str, quality: dict) -> list[str]:
    parts = [f"<h2>{html.escape(title)}</h2>"]
    if quality["similarity"]:
        rows = [
            [name, s["spearman"], s["coverage"], s.get("spearman_all_pairs_subword"), s["pairs"]]
            for name, s in quality["similarity"].items()
        ]
        parts.append(
            "<h3>Word similarity (Spearman ρ)</h3>"
            + _table(["set", "ρ, in-vocabulary pairs", "coverage", "ρ, all pairs (subword vectors)", "pairs"], rows)
        )
    if quality["analogy"]:
        rows = []
        for name, a in quality["analogy"].items():
            rows.append(
                [f"{name} (gensim protocol)", a["accuracy"], a["coverage"], f"{a['scored']} / {a['questions']}"]
            )
            sub = quality.get("analogy_subword", {}).get(name)
            if sub:
                rows.append(
                    [f"{name} (OOV-aware)", sub["accuracy"], sub["coverage"], f"{sub['scored']} / {sub['questions']}"]
                )
            for section, sec in a["sections"].items():
                sub_sec = (sub or {}).get("sections", {}).get(section, {})
                rows.append(
                    [
                        f"  {section}",
                        sec["accuracy"],
                        None,
                        f"{sec['scored']} (OOV-aware {sub_sec.get('scored', '–')}: {_fmt(sub_sec.get('accuracy'))})",
                    ]
                )
        parts.append(
            "<h3>Analogies (accuracy)</h3>"
            + _table(["set / section", "accuracy", "coverage", "scored / questions"], rows)
            + "<p><small>gensim protocol: <code>evaluate_word_analogies</code>, 3CosAdd over the 300,000 most "
            "frequent words, query words excluded, questions with any unknown word skipped. OOV-aware: the same, "
            "but unknown query words get their character n-gram vectors; a question is scored when its answer is "
            "in the vocabulary.</small></p>"
        )
    if quality.get("vocabulary_coverage"):
        rows = [[n, c["words"], c["in_vocabulary"], c["share"]] for n, c in quality["vocabulary_coverage"].items()]
        parts.append(
            "<h3>Evaluation words in the vocabulary</h3>" + _table(["set", "words", "in vocabulary", "share"], rows)
        )
    return parts


def render_html(metrics: dict, images: dict[str, bytes]) -> str:
    parity = metrics["parity"]
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>morphvec report: {html.escape(metrics['run'])}</title><style>{STYLE}</style></head><body>",
        f"<h1>morphvec report — run <code>{html.escape(metrics['run'])}</code></h1>",
    ]
    verdict = "pass" if parity["passed"] else "fail"
    parts.append(
        f"<h2>Parity: fastText ↔ gensim ↔ torch <span class='{verdict}'>{verdict.upper()}</span></h2>"
        f"<p>Maximum absolute difference of vectors for {parity['samples']['in_vocab']} in-vocabulary words, "
        f"{parity['samples']['oov']} out-of-vocabulary words and {parity['samples']['sentence']} documents; "
        f"tolerance {parity['tolerance']:g}.</p><table><tr><th>pair</th><th>in-vocabulary</th><th>OOV</th>"
        "<th>sentence</th></tr>"
    )
    for key, row in parity.items():
        if key.count("_vs_") == 1 and isinstance(row, dict):
            cells = "".join(
                f"<td class='{'pass' if v <= parity['tolerance'] else 'fail'}'>{v:.2e}</td>"
                for v in (row["in_vocab_max_abs_diff"], row["oov_max_abs_diff"], row["sentence_max_abs_diff"])
            )
            parts.append(f"<tr><td>{key.replace('_', ' ')}</td>{cells}</tr>")
    parts.append("</table>")
    for note in parity.get("notes", []):
        parts.append(f"<p><small>{html.escape(note)}</small></p>")

    corpus, training = metrics["corpus"], metrics["training"]
    zero = training["zero_ngram_rows"]
    profile = metrics.get("corpus_profile", {})
    rows = [
        ["documents read", corpus["documents"]],
        ["documents kept", corpus["documents_written"]],
        ["empty documents dropped", corpus["dropped_empty"]],
        ["tokens", corpus["tokens"]],
        ["token types", corpus["types"]],
        ["types seen once (share)", profile.get("hapax_share_of_types")],
        ["mean token length (characters)", profile.get("mean_token_length")],
        ["Zipf slope (log-log, top 10,000 ranks)", profile.get("zipf_slope")],
        ["tokenizer", corpus["tokenizer"]],
        ["trainer", training.get("trainer", "fasttext")],
        ["vocabulary", metrics["vocabulary_size"]],
        ["n-gram buckets", training["buckets"]],
        ["all-zero n-gram rows after training (fastText#1061)", f"{100 * zero['before_fix_share']:.1f}%"],
        ["all-zero n-gram rows in the exported model", f"{100 * zero['after_fix_share']:.1f}%"],
        ["training time (s)", training["seconds"]],
    ]
    parts.append("<h2>Corpus and model</h2>" + _table(["", ""], rows))
    parts.append(
        "<div class='figs'>" + "".join(_img(n, images[n]) for n in ("zipf", "token_lengths") if n in images) + "</div>"
    )
    parts.append(
        "<details><summary>fastText parameters</summary>"
        + _table(["parameter", "value"], [[k, v] for k, v in sorted(training["params"].items())])
        + "</details>"
    )

    parts += _quality_section("Quality — fastText", metrics["quality"])
    parts.append(
        "<div class='figs'>" + "".join(_img(n, p) for n, p in images.items() if n.startswith("similarity_")) + "</div>"
    )
    probe = metrics.get("sentiment_probe")
    if probe:
        parts.append(
            "<h3>Sentiment probe</h3>"
            + _table(
                ["documents", "train / test", "accuracy", "majority baseline", "positive share"],
                [
                    [
                        probe["documents"],
                        f"{probe['train']:,} / {probe['test']:,}",
                        probe["accuracy"],
                        probe["majority_baseline"],
                        probe["positive_share"],
                    ]
                ],
            )
            + f"<p><small>Logistic regression on fastText sentence vectors; {html.escape(probe['rule'])}; "
            "seeded stratified split.</small></p>"
        )
    if metrics.get("neighbours"):
        parts.append("<h3>Nearest neighbours</h3>" + _neighbours_table(metrics["neighbours"]))
    parts.append(
        "<div class='figs'>" + "".join(_img(n, p) for n, p in images.items() if n.startswith("pca_")) + "</div>"
    )

    if "finetune_word2vec" in metrics:
        ft = metrics["finetune_word2vec"]
        rows = [
            ["pretrained file", ft["pretrained"]],
            ["words initialised from it", f"{ft['initialised_from_pretrained']:,} of {ft['vocabulary']:,}"],
            ["lockf", ft["lockf"]],
            ["mean L2 movement in training", ft["movement"]["l2_mean"]],
            ["mean cosine to the pretrained vector", ft["movement"]["cosine_to_initial_mean"]],
        ]
        parts.append("<h2>Fine-tuned word2vec</h2>" + _table(["", ""], rows))
        parts += _quality_section("Quality — fine-tuned word2vec", ft["quality"])[1:]
        if ft.get("neighbours"):
            parts.append("<h3>Nearest neighbours of the probe words</h3>" + _neighbours_table(ft["neighbours"]))
        if ft.get("neighbours_before"):
            parts.append(
                "<h3>Words initialised from the pretrained vectors: neighbours before and after fine-tuning</h3>"
                + "<div class='figs'><div><b>before</b>"
                + _neighbours_table(ft["neighbours_before"])
                + "</div>"
                + "<div><b>after</b>"
                + _neighbours_table(ft["neighbours_after"])
                + "</div></div>"
            )
    parts.append("</body></html>")
    return "\n".join(parts)


# --- the step ------------------------------------------------------------------------------


def probe_documents(tokens: str | Path, labels: str | Path, limit: int, seed: int) -> tuple[list[str], list[str]]:
    """Up to ``limit`` (document, label) pairs, a seeded uniform sample; none if the files differ
    in length (labels that do not line up with the documents must not be used)."""
    with open(tokens, encoding="utf-8") as documents, open(labels, encoding="utf-8") as document_labels:
        try:
            sample = reservoir_sample(zip(documents, document_labels, strict=True), limit, random.Random(seed))
        except ValueError:
            log.warning("%s and %s differ in length: no sentiment probe", tokens, labels)
            return [], []
    return [doc.rstrip("\n") for doc, _ in sample], [label.strip() for _, label in sample]


def write_report(
    *,
    run: str,
    model_bin: str | Path,
    gensim_kv: str | Path,
    torch_dir: str | Path,
    tokens: str | Path,
    token_stats: str | Path,
    train_stats: str | Path,
    metrics_out: str | Path,
    html_out: str | Path,
    token_counts: str | Path | None = None,
    labels: str | Path | None = None,
    plots_dir: str | Path | None = None,
    finetune_model: str | Path | None = None,
    finetune_stats: str | Path | None = None,
    similarity: dict[str, str] | None = None,
    analogy: dict[str, str] | None = None,
    probe_words: list[str] | None = None,
    pca_words: list[str] | None = None,
    pca_top_n: int = 50,
    sentiment: dict | None = None,
    samples: int = 1000,
    tolerance: float = 1e-5,
    seed: int = 0,
    settings: dict | None = None,
) -> dict:
    import fasttext
    from gensim.models.fasttext import FastTextKeyedVectors

    from fasttext_torch import FastTextEmbedding  # beside this script (the export has a copy)

    similarity, analogy, probe_words = similarity or {}, analogy or {}, probe_words or []
    ft_model = fasttext.load_model(str(require_file(model_bin, "fastText model", "run train_fasttext")))
    wv = FastTextKeyedVectors.load(str(require_file(gensim_kv, "gensim vectors", "run load_gensim")), mmap="r")
    torch_embedding = FastTextEmbedding.load(torch_dir)

    rng = random.Random(seed)
    vocab = list(wv.index_to_key)
    in_vocab = sample_in_vocab(vocab, samples, rng)
    oov = make_oov_words(vocab, samples, rng)
    documents = sample_documents(tokens, samples, rng)
    vectors = library_vectors(ft_model, wv, torch_embedding, (in_vocab, oov), documents)
    parity = parity_table(vectors, tolerance)
    parity["samples"] = {"in_vocab": len(in_vocab), "oov": len(oov), "sentence": len(documents)}
    parity["oov_examples"] = oov[:10]
    parity["notes"] = [
        f"The end-of-sentence token {EOS} is left out of the in-vocabulary sample: gensim 4.4 adds "
        "character n-grams to it, fastText does not; the exported word vectors follow fastText."
    ]
    if not parity["passed"]:
        log.warning("parity FAILED: max abs diff %.3g > tolerance %.3g", parity["max_abs_diff"], tolerance)

    quality = evaluate(wv, similarity, analogy)
    images: dict[str, bytes] = {}
    for name, result in quality["similarity"].items():
        images[f"similarity_{name}"] = report_plots.similarity_scatter_png(name, result.pop("scored_pairs"), set(vocab))

    metrics = {
        "run": run,
        "settings": settings or {},
        "corpus": read_json(token_stats),
        "training": read_json(train_stats),
        "vocabulary_size": len(vocab),
        "parity": parity,
        "quality": quality,
        "neighbours": nearest_neighbours(wv, probe_words),
    }
    if token_counts is not None:
        counts = report_plots.read_token_counts(token_counts)
        metrics["corpus_profile"] = report_plots.corpus_profile(counts)
        images["zipf"] = report_plots.zipf_png(counts, run)
        images["token_lengths"] = report_plots.token_length_png(
            metrics["corpus_profile"]["token_length_histogram"], run
        )
    pca_words = [w for w in (pca_words or []) if w]
    if len(pca_words) >= 3:
        images["pca_words"] = report_plots.pca_png(
            pca_words,
            torch_embedding.word_vectors(pca_words).numpy(),
            "PCA of the chosen words (subword vectors for OOV)",
        )
    top = [w for w in vocab if w != EOS and report_plots.is_word_like(w)][:pca_top_n]
    if len(top) >= 3:
        images["pca_top"] = report_plots.pca_png(
            top, torch_embedding.word_vectors(top).numpy(), f"PCA of the {len(top)} most frequent words"
        )
    if labels is not None and sentiment is not None:
        texts, document_labels = probe_documents(tokens, labels, sentiment["max_documents"], seed)
        if texts:
            sentence_vectors = torch_embedding.sentence_vectors(texts).numpy()
            metrics["sentiment_probe"] = report_plots.sentiment_probe(
                sentence_vectors,
                document_labels,
                sentiment["negative_max"],
                sentiment["positive_min"],
                sentiment["test_share"],
                seed,
            )
    if finetune_model is not None:
        from gensim.models import Word2Vec

        w2v = Word2Vec.load(str(finetune_model), mmap="r").wv
        ft_quality = evaluate(w2v, similarity, analogy)
        for result in ft_quality["similarity"].values():
            result.pop("scored_pairs", None)
        metrics["finetune_word2vec"] = {**read_json(finetune_stats), "quality": ft_quality}
        metrics["finetune_word2vec"]["neighbours"] = nearest_neighbours(w2v, probe_words)

    if plots_dir is not None:
        Path(plots_dir).mkdir(parents=True, exist_ok=True)
        for name, png in images.items():
            with atomic_path(Path(plots_dir) / f"{name}.png", suffix=".png") as tmp:
                Path(tmp).write_bytes(png)
    write_json(metrics_out, metrics)
    with atomic_open(html_out) as out:
        out.write(render_html(metrics, images))
    log.info(
        "parity max abs diff %.2e (%s); %s",
        parity["max_abs_diff"],
        "pass" if parity["passed"] else "FAIL",
        json.dumps({k: v.get("spearman") for k, v in quality["similarity"].items()}, ensure_ascii=False),
    )
    return metrics


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results_dir", help="a run's results directory, e.g. results/nsmc_sample")
    parser.add_argument("--similarity", action="append", default=[], metavar="NAME=PATH")
    parser.add_argument("--analogy", action="append", default=[], metavar="NAME=PATH")
    parser.add_argument("--probe", nargs="*", default=[], help="probe words for nearest neighbours")
    parser.add_argument("--pca-words", nargs="*", default=[], help="words for the PCA plot")
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--tolerance", type=float, default=1e-5)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    root = Path(args.results_dir)
    finetune = root / "finetune_word2vec" / "word2vec.model"
    labels = root / "tokenize_corpus" / "labels.txt"

    def named(values: list[str]) -> dict[str, str]:
        return dict(v.split("=", 1) if "=" in v else (Path(v).stem, v) for v in values)

    return run_step(
        lambda: write_report(
            run=root.name,
            model_bin=root / "train_fasttext" / "model.bin",
            gensim_kv=root / "load_gensim" / "fasttext.kv",
            torch_dir=root / "export_torch",
            tokens=root / "tokenize_corpus" / "tokens.txt",
            token_stats=root / "tokenize_corpus" / "stats.json",
            train_stats=root / "train_fasttext" / "stats.json",
            token_counts=root / "tokenize_corpus" / "token_counts.tsv",
            labels=labels if labels.exists() and labels.stat().st_size else None,
            metrics_out=root / "report" / "metrics.json",
            html_out=root / "report" / "report.html",
            plots_dir=root / "report" / "plots",
            finetune_model=finetune if finetune.exists() else None,
            finetune_stats=finetune.with_name("stats.json") if finetune.exists() else None,
            similarity=named(args.similarity),
            analogy=named(args.analogy),
            probe_words=args.probe,
            pca_words=args.pca_words,
            sentiment=SENTIMENT_DEFAULTS,
            samples=args.samples,
            tolerance=args.tolerance,
        )
    )


SENTIMENT_DEFAULTS = {"negative_max": 4, "positive_min": 9, "test_share": 0.2, "max_documents": 20000}


if "snakemake" in globals():
    sm = globals()["snakemake"]
    sys.exit(
        run_step(
            lambda: write_report(
                run=sm.wildcards.run,
                model_bin=sm.input.bin,
                gensim_kv=sm.input.kv,
                torch_dir=Path(sm.input.torch_weights).parent,
                tokens=sm.input.tokens,
                token_stats=sm.input.token_stats,
                train_stats=sm.input.train_stats,
                token_counts=sm.input.token_counts,
                labels=sm.input.labels if Path(sm.input.labels).stat().st_size else None,
                metrics_out=sm.output.metrics,
                html_out=sm.output.html,
                plots_dir=sm.output.plots,
                finetune_model=sm.input.get("finetune_model"),
                finetune_stats=sm.input.get("finetune_stats"),
                **sm.params.options,
            ),
            snakemake_log(sm),
        )
    )
elif __name__ == "__main__":
    sys.exit(main())
