"""Raw text into the static export, on one finished run: quality against fastText's vector of the
analysed text, and speed against the analyser + fastText paths.

    .venv/bin/python bench/raw_text.py results/<run> [--reviews 20000] [--repeats 3]

Quality: the 1,000 held-out NSMC reviews of ``resources/eval/nsmc_heldout.tsv.gz`` and the
sentences of KorSTS dev and test (the bundled copies): the cosine of model2vec's vector of the raw
text to fastText's vector of the text cut by the run's analyser (mean, 1st percentile, minimum),
the share of words the table has no row or piece for, and KorSTS ρ × 100 on raw against analysed
input.  Speed: ``--reviews`` NSMC reviews (from ../shared) turned into sentence vectors by
model2vec on raw text, by MeCab + fastText and by Kiwi + fastText (one thread each; ``tokenizers``
on its own threads, as model2vec runs it), the median of ``--repeats`` in this process; the ratios
are what counts (the machines are noisy).  Prints a Markdown section for BENCHMARKS.md.
"""

import argparse
import collections
import gzip
import itertools
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

from morphvec import layout  # noqa: E402 (after the path that holds it)

HELD_OUT = REPO / "resources" / "eval" / "nsmc_heldout.tsv.gz"
KORSTS = REPO / "resources" / "eval" / "korsts"
NSMC = REPO.parent / "shared" / "data" / "nsmc_reviews.tsv.gz"


def texts_of(path: Path, column: int, limit: int | None = None) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rows = (line.rstrip("\n").split("\t") for line in itertools.islice(handle, 1, None))
        return [" ".join(row[column].split()) for row in itertools.islice(rows, limit) if row[column].split()]


def timed(repeats: int, work) -> float:
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def rho(pairs, vectors) -> float:
    """Spearman ρ × 100 of the pairs' cosines (``vectors``: all first sentences, then all second)."""
    from scipy.stats import spearmanr

    from morphvec.evaluation.sentences import row_cosines

    n = len(pairs.first)
    return 100 * float(spearmanr(pairs.gold, row_cosines(vectors[:n], vectors[n:])).statistic)


def quality(run: Path, name: str) -> dict:
    """Raw against analysed input on the held-out reviews and KorSTS's sentences."""
    import fasttext
    import numpy as np
    from model2vec import StaticModel

    from morphvec.evaluation.sentences import read_sentence_pairs, row_cosines
    from morphvec.tokenize import Tokenizer, clean_text

    cut = Tokenizer(name)
    model = fasttext.load_model(layout.run_file("model_bin", run))
    folder = Path(layout.run_file("static_weights", run)).parent
    static, sif = StaticModel.from_pretrained(str(folder)), StaticModel.from_pretrained(str(folder / "sif"))
    unknown = static.tokenizer.token_to_id(json.loads((folder / "stats.json").read_text())["unknown_token"])

    def analysed(texts):
        return [" ".join(token for token, _ in cut(text)) for text in texts]

    def fasttext_vectors(texts):
        return np.stack([model.get_sentence_vector(text) for text in texts])

    def agreement(texts):
        cosines = row_cosines(static.encode(texts), fasttext_vectors(analysed(texts)))
        words = sum(len(text.split()) for text in texts)
        missing = sum(i == unknown for text in texts for i in static.tokenizer.encode(text).ids)
        return {
            "texts": len(texts),
            "mean": float(cosines.mean()),
            "p01": float(np.percentile(cosines, 1)),
            "min": float(cosines.min()),
            "unknown_words": missing / words,
        }

    found = {"held_out": agreement(texts_of(HELD_OUT, 4))}
    for split in ("dev", "test"):
        pairs = read_sentence_pairs(KORSTS / f"sts-{split}.tsv.gz")
        raw = [" ".join(clean_text(s, collections.Counter()).split()) for s in pairs.sentences]
        cut_text = analysed(raw)
        vectors = {
            "fasttext_analysed": fasttext_vectors(cut_text),
            "static_raw": static.encode(raw),
            "static_analysed": static.encode(cut_text),
            "sif_raw": sif.encode(raw),
            "sif_analysed": sif.encode(cut_text),
        }
        found[f"korsts_{split}"] = {**agreement(raw), **{key: rho(pairs, v) for key, v in vectors.items()}}
    return found


def speed(run: Path, reviews: int, repeats: int) -> dict:
    """Seconds for ``reviews`` raw reviews: model2vec on raw text, and each analyser + fastText."""
    import fasttext
    from model2vec import StaticModel

    from morphvec.tokenize import Tokenizer

    texts = texts_of(NSMC, 4, reviews)
    model = fasttext.load_model(layout.run_file("model_bin", run))
    static = StaticModel.from_pretrained(str(Path(layout.run_file("static_weights", run)).parent))
    found = {"reviews": len(texts), "model2vec_raw": timed(repeats, lambda: static.encode(texts))}
    for name in ("mecab", "kiwi"):
        cut = Tokenizer(name)
        cut("워밍업")  # the analyser's model loaded before the clock starts

        def path(cut=cut):
            for text in texts:
                model.get_sentence_vector(" ".join(token for token, _ in cut(text)))

        found[f"{name}_fasttext"] = timed(repeats, path)
        found[f"{name}_alone"] = timed(1, lambda cut=cut: [cut(text) for text in texts])
    return found


def markdown(run: Path, name: str, found: dict, spent: dict) -> str:
    lines = [
        f"Run `{run.name}` ({name}). Raw text through model2vec against fastText's vector of the text cut by {name}:",
        "",
        "| texts | n | mean cosine | 1st percentile | min | words unknown | ρ×100 fastText analysed "
        "| static raw / analysed | SIF raw / analysed |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for key, title in (
        ("held_out", "NSMC held-out reviews"),
        ("korsts_dev", "KorSTS dev"),
        ("korsts_test", "KorSTS test"),
    ):
        q = found[key]
        rho = (
            f"{q['fasttext_analysed']:.1f} | {q['static_raw']:.1f} / {q['static_analysed']:.1f} | "
            f"{q['sif_raw']:.1f} / {q['sif_analysed']:.1f}"
            if "static_raw" in q
            else "– | – | –"
        )
        lines.append(
            f"| {title} | {q['texts']:,} | {q['mean']:.4f} | {q['p01']:.4f} | {q['min']:.4f} | "
            f"{q['unknown_words']:.3%} | {rho} |"
        )
    base = spent["model2vec_raw"]
    lines += [
        "",
        f"Speed, {spent['reviews']:,} raw reviews to sentence vectors (median of the repeats; the analysers and "
        "fastText on one thread, `tokenizers` on its own threads, as model2vec runs it):",
        "",
        "| path | seconds | against model2vec on raw text |",
        "|---|---|---|",
        f"| model2vec, raw text | {base:.2f} | 1× |",
    ]
    for analyser in ("mecab", "kiwi"):
        total, alone = spent[f"{analyser}_fasttext"], spent[f"{analyser}_alone"]
        lines.append(
            f"| {analyser} + fastText (the analysis alone: {alone:.1f} s) | {total:.2f} | {total / base:.1f}× |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=Path, help="a finished run's folder, results/<run>")
    parser.add_argument("--reviews", type=int, default=20000, help="NSMC reviews for the speed table")
    parser.add_argument("--repeats", type=int, default=3, help="repeats of each timing (the median is shown)")
    args = parser.parse_args(argv)
    name = json.loads(Path(layout.run_file("token_stats", args.run)).read_text())["tokenizer"]
    found = quality(args.run, name)
    spent = speed(args.run, args.reviews, args.repeats)
    print(json.dumps({"quality": found, "speed": spent}, indent=2), file=sys.stderr)
    print(markdown(args.run, name, found, spent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
