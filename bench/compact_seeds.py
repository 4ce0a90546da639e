"""The compact step against compress-fasttext over k-means seeds, on one finished run.

    .venv/bin/python bench/compact_seeds.py results/<run> [--seeds 0,1,2]

``bench/run`` builds each budget of the curve once (seed 0); the k-means seed alone moves the
share of ρ kept by a few points, so this builds every budget of the run's ``compress_vectors``
variants with several seeds for both tools (compress-fasttext draws from numpy's global
generator, seeded here the same way), scores each by the bench's one code path
(``task_compact_quality``) and prints a Markdown table: mean and range of ρ and probe kept.
Nothing is timed (``bench/run`` does that).
"""

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchmark  # bench/, beside this file; it puts scripts/ on the path

from morphvec import layout


def spread(values: list[float]) -> str:
    return f"{statistics.mean(values):.1%} ({min(values):.1%}–{max(values):.1%})"


def one_seed(run: Path, name: str, chosen: dict, seed: int, scratch: str, compact: dict, data: dict) -> dict:
    """Both tools' compact model of one budget built with ``seed``: ``{tool: (bytes, scores)}``."""
    ours, peer = Path(scratch, f"m_{name}_{seed}"), Path(scratch, f"c_{name}_{seed}")
    built = benchmark.task_compact_morphvec(str(run), str(ours), name, {**compact, "seed": seed})
    found = {"morphvec": (built["bytes"], benchmark.task_compact_quality("morphvec", str(ours), **data))}
    kv = layout.run_file("gensim_kv", run)
    built = benchmark.task_compress_fasttext(kv, str(peer), **benchmark.peer_budget(chosen), seed=seed)
    scores = benchmark.task_compact_quality("compress_fasttext", str(peer / "model.bin"), **data)
    found["compress_fasttext"] = (built["bytes"], scores)
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run_dir", type=Path, help="a finished run: results/<run> (its exports and metrics)")
    parser.add_argument("--seeds", default="0,1,2", help="k-means seeds, comma-separated (default 0,1,2)")
    args = parser.parse_args(argv)
    run = args.run_dir
    if not (run / "report" / "metrics.json").is_file() or not Path(layout.run_file("gensim_kv", run)).is_file():
        parser.error(f"{run}: not a finished run (no report/metrics.json or load_gensim/): give results/<run>")
    try:
        seeds = [int(s) for s in args.seeds.split(",")]
    except ValueError:
        parser.error(f"--seeds {args.seeds!r}: give whole numbers separated by commas, e.g. 0,1,2")
    try:
        settings, data = benchmark.compact_inputs(run)
        compact = settings["compress_vectors"]
    except (ValueError, KeyError, TypeError) as error:  # a damaged or foreign metrics.json (JSON, UTF-8)
        parser.error(f"{run / 'report' / 'metrics.json'}: not a run's metrics ({error}): give results/<run>")
    weights = Path(layout.run_file("torch_weights", run))
    full = benchmark.task_compact_quality("morphvec", str(weights.parent), **data)
    lines = [
        f"{run.name}, seeds {args.seeds}; the full export's WS353-ko ρ over all pairs {full['rho_all_pairs']:.3f}.",
        "",
        "| budget | size share (morphvec / c-f) | ρ kept, morphvec: mean (range) | ρ kept, compress-fasttext "
        "| probe kept (morphvec / c-f) |",
        "|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as scratch:
        for name, chosen in compact["variants"].items():
            kept: dict = {tool: {"rho": [], "probe": [], "share": 0.0} for tool in ("morphvec", "compress_fasttext")}
            for seed in seeds:
                for tool, (size, scored) in one_seed(run, name, chosen, seed, scratch, compact, data).items():
                    kept[tool]["rho"].append(scored["rho_all_pairs"] / full["rho_all_pairs"])
                    kept[tool]["probe"].append(scored["probe_accuracy"] / full["probe_accuracy"])
                    kept[tool]["share"] = size / weights.stat().st_size
                print(f"{name} seed {seed}: ρ kept {kept['morphvec']['rho'][-1]:.1%} (morphvec) / "
                      f"{kept['compress_fasttext']['rho'][-1]:.1%}", file=sys.stderr)  # fmt: skip
            ours, peer = kept["morphvec"], kept["compress_fasttext"]
            lines.append(
                f"| `{name}` | {ours['share']:.2%} / {peer['share']:.2%} | {spread(ours['rho'])} "
                f"| {spread(peer['rho'])} | {statistics.mean(ours['probe']):.1%} / "
                f"{statistics.mean(peer['probe']):.1%} |"
            )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
