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

Quality: ``quality.similarity.<name>.{spearman,coverage}`` and
``quality.analogy.<name>.{accuracy,coverage}`` (see ``evaluate_vectors.py``), nearest
neighbours of the probe words, and the same scores for the fine-tuned word2vec if it ran.
"""

import argparse
import base64
import html
import io
import json
import logging
import random
import sys
from pathlib import Path

import numpy as np

from evaluate_vectors import evaluate, nearest_neighbours
from extract_vectors import EOS
from pipeline_io import atomic_open, read_json, require_file, run_step, snakemake_log, write_json

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


def sample_documents(tokens_path: str | Path, n: int, rng: random.Random) -> list[list[str]]:
    """A uniform sample of ``n`` documents (reservoir sampling: one pass, bounded memory)."""
    reservoir: list[str] = []
    with open(tokens_path, encoding="utf-8") as handle:
        for index, line in enumerate(handle):
            if index < n:
                reservoir.append(line)
            else:
                slot = rng.randint(0, index)
                if slot < n:
                    reservoir[slot] = line
    return [line.split() for line in reservoir if line.split()]


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


# --- plots ---------------------------------------------------------------------------------


def similarity_scatter_png(name: str, scored_pairs: list, vocab: set[str]) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 4), dpi=100)
    inside = [(g, c) for a, b, g, c in scored_pairs if a in vocab and b in vocab]
    outside = [(g, c) for a, b, g, c in scored_pairs if not (a in vocab and b in vocab)]
    if outside:
        ax.scatter(
            *zip(*outside, strict=True), s=10, alpha=0.5, color="tab:orange", label="≥1 word OOV (subword vector)"
        )
    if inside:
        ax.scatter(*zip(*inside, strict=True), s=12, alpha=0.8, color="tab:blue", label="both words in vocabulary")
    ax.set_xlabel("human score")
    ax.set_ylabel("cosine similarity")
    ax.set_title(f"word similarity: {name}")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


# --- HTML ----------------------------------------------------------------------------------


def _fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1e-3 and value != 0 else f"{value:.4f}"
    return html.escape(str(value))


def render_html(metrics: dict, images: dict[str, bytes]) -> str:
    parity = metrics["parity"]
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>morphvec report: {html.escape(metrics['run'])}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.3em .6em;"
        "text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}"
        ".pass{color:#17702a;font-weight:bold}.fail{color:#b00020;font-weight:bold}</style></head><body>",
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
    parts.append("<h2>Corpus and model</h2><table>")
    rows = [
        ("documents read", corpus["documents"]),
        ("documents kept", corpus["documents_written"]),
        ("empty documents dropped", corpus["dropped_empty"]),
        ("tokens", corpus["tokens"]),
        ("token types", corpus["types"]),
        ("tokenizer", corpus["tokenizer"]),
        ("vocabulary (fastText)", metrics["vocabulary_size"]),
        ("n-gram buckets", training["buckets"]),
        ("all-zero n-gram rows after training (fastText#1061)", f"{100 * zero['before_fix_share']:.1f}%"),
        ("all-zero n-gram rows in the exported model", f"{100 * zero['after_fix_share']:.1f}%"),
        ("training time (s)", training["seconds"]),
    ]
    parts += [f"<tr><td>{html.escape(k)}</td><td>{_fmt(v)}</td></tr>" for k, v in rows]
    parts.append("</table>")
    parts.append(
        "<h3>fastText parameters</h3><table>"
        + "".join(f"<tr><td>{k}</td><td>{_fmt(v)}</td></tr>" for k, v in sorted(training["params"].items()))
        + "</table>"
    )

    for model_name, quality in [("fastText", metrics["quality"])] + (
        [("fine-tuned word2vec", metrics["finetune_word2vec"]["quality"])] if "finetune_word2vec" in metrics else []
    ):
        parts.append(f"<h2>Quality — {model_name}</h2>")
        if quality["similarity"]:
            parts.append(
                "<table><tr><th>word similarity</th><th>Spearman ρ (in-vocab pairs)</th><th>coverage</th>"
                "<th>ρ, all pairs with subword vectors</th></tr>"
            )
            for name, s in quality["similarity"].items():
                parts.append(
                    f"<tr><td>{html.escape(name)}</td><td>{_fmt(s['spearman'])}</td><td>{_fmt(s['coverage'])}</td>"
                    f"<td>{_fmt(s.get('spearman_all_pairs_subword'))}</td></tr>"
                )
            parts.append("</table>")
        if quality["analogy"]:
            parts.append("<table><tr><th>analogies</th><th>accuracy</th><th>coverage</th><th>scored</th></tr>")
            for name, a in quality["analogy"].items():
                parts.append(
                    f"<tr><td>{html.escape(name)}</td><td>{_fmt(a['accuracy'])}</td><td>{_fmt(a['coverage'])}</td>"
                    f"<td>{a['scored']} / {a['questions']}</td></tr>"
                )
            parts.append("</table>")
    for name, png in images.items():
        encoded = base64.b64encode(png).decode("ascii")
        parts.append(f"<img alt='{html.escape(name)}' src='data:image/png;base64,{encoded}'>")

    if metrics.get("neighbours"):
        parts.append("<h2>Nearest neighbours (cosine)</h2><table><tr><th>probe</th><th>neighbours</th></tr>")
        for word, neighbours in metrics["neighbours"].items():
            text = "–" if not neighbours else ", ".join(f"{html.escape(w)} {s:.2f}" for w, s in neighbours)
            parts.append(f"<tr><td>{html.escape(word)}</td><td style='text-align:left'>{text}</td></tr>")
        parts.append("</table>")
    if "finetune_word2vec" in metrics:
        ft = metrics["finetune_word2vec"]
        rows = [
            ("pretrained file", ft["pretrained"]),
            ("words initialised from it", f"{ft['initialised_from_pretrained']} of {ft['vocabulary']}"),
            ("lockf", ft["lockf"]),
            ("mean L2 movement in training", ft["movement"]["l2_mean"]),
            ("mean cosine to the pretrained vector", ft["movement"]["cosine_to_initial_mean"]),
        ]
        parts.append("<h2>Fine-tuned word2vec</h2><table>")
        parts += [f"<tr><td>{html.escape(k)}</td><td>{_fmt(v)}</td></tr>" for k, v in rows]
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)


# --- the step ------------------------------------------------------------------------------


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
    finetune_model: str | Path | None = None,
    finetune_stats: str | Path | None = None,
    similarity: dict[str, str] | None = None,
    analogy: dict[str, str] | None = None,
    probe_words: list[str] | None = None,
    samples: int = 1000,
    tolerance: float = 1e-5,
    seed: int = 0,
) -> dict:
    import fasttext
    from gensim.models.fasttext import FastTextKeyedVectors

    sys.path.insert(0, str(Path(torch_dir)))
    from fasttext_torch import FastTextEmbedding

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
    images = {}
    for name, result in quality["similarity"].items():
        images[f"similarity_{name}"] = similarity_scatter_png(name, result.pop("scored_pairs"), set(vocab))

    metrics = {
        "run": run,
        "corpus": read_json(token_stats),
        "training": read_json(train_stats),
        "vocabulary_size": len(vocab),
        "parity": parity,
        "quality": quality,
        "neighbours": nearest_neighbours(wv, probe_words),
    }
    if finetune_model is not None:
        from gensim.models import Word2Vec

        w2v = Word2Vec.load(str(finetune_model), mmap="r").wv
        ft_quality = evaluate(w2v, similarity, analogy)
        for result in ft_quality["similarity"].values():
            result.pop("scored_pairs", None)
        metrics["finetune_word2vec"] = {**read_json(finetune_stats), "quality": ft_quality}
        metrics["finetune_word2vec"]["neighbours"] = nearest_neighbours(w2v, probe_words)

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
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--tolerance", type=float, default=1e-5)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    root = Path(args.results_dir)
    finetune = root / "finetune_word2vec" / "word2vec.model"

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
            metrics_out=root / "report" / "metrics.json",
            html_out=root / "report" / "report.html",
            finetune_model=finetune if finetune.exists() else None,
            finetune_stats=finetune.with_name("stats.json") if finetune.exists() else None,
            similarity=named(args.similarity),
            analogy=named(args.analogy),
            probe_words=args.probe,
            samples=args.samples,
            tolerance=args.tolerance,
        )
    )


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
                metrics_out=sm.output.metrics,
                html_out=sm.output.html,
                finetune_model=sm.input.get("finetune_model"),
                finetune_stats=sm.input.get("finetune_stats"),
                **sm.params.options,
            ),
            snakemake_log(sm),
        )
    )
elif __name__ == "__main__":
    sys.exit(main())
