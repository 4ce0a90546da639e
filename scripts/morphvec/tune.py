"""The tuned flavour of the static export: a flavour's table trained further on sentence pairs with
sentence-transformers' CoSENT loss (Su 2022; the loss sentence-transformers trains its static
models with), written in the same four-file layout that sentence-transformers and model2vec open.

Each training pair goes in twice, as raw text and cut by the run's analyser, so that both the
raw-text rows (:mod:`morphvec.raw_text`) and the morpheme rows learn.  The loop is a plain torch
loop over sentence-transformers' own model and loss: its ``SentenceTransformerTrainer`` needs
``datasets`` and ``accelerate`` (and with them pyarrow, pandas and a dozen more packages) for what
is here forty lines.  With ``threads: 1`` a rerun is byte-identical.
"""

import collections
import logging
import time
from pathlib import Path

import numpy as np

from morphvec.runtime import UserInputError, atomic_dir, read_json, require_file, write_json
from morphvec.schema import SCHEMA_DEFAULT, configured

log = logging.getLogger("morphvec.tune_static")

# A training file sharing this share of an evaluation file's pairs is that evaluation set.
MAX_SHARED_SHARE = 0.1
STATIC_FILES = ("model.safetensors", "tokenizer.json", "config.json", "modules.json")


def shared_pairs(training, evaluation) -> int:
    """How many of ``evaluation``'s sentence pairs (either order) ``training`` also holds."""
    seen = {pair for a, b in zip(training.first, training.second, strict=True) for pair in ((a, b), (b, a))}
    return sum((a, b) in seen for a, b in zip(evaluation.first, evaluation.second, strict=True))


def check_not_evaluation(training, pairs: str | Path, exclude: list[str | Path]) -> dict:
    """Stop when the training pairs are (mostly) one of the run's evaluation files; the overlap
    with each, counted, otherwise."""
    from morphvec.evaluation import read_sentence_pairs

    found = {}
    for path in exclude:
        evaluation = read_sentence_pairs(path)
        shared = shared_pairs(training, evaluation)
        if shared >= MAX_SHARED_SHARE * len(evaluation.first):
            raise UserInputError(
                f"{pairs}: holds {shared:,} of the {len(evaluation.first):,} sentence pairs of {path}, "
                "an evaluation file of this run: tuning on it would report data the model was trained on",
                "give a training set (KorSTS train), never the pairs you score (tune_static.pairs)",
            )
        found[str(path)] = shared
    return found


@configured("tune_static")
def tune_static(
    static_start: str | Path,
    pairs: str | Path,
    static_tuned: str | Path,
    token_stats: str | Path,
    exclude: list[str | Path] | None = None,
    *,
    epochs: int = SCHEMA_DEFAULT,
    batch_size: int = SCHEMA_DEFAULT,
    learning_rate: float = SCHEMA_DEFAULT,
    seed: int = SCHEMA_DEFAULT,
    threads: int = SCHEMA_DEFAULT,
) -> dict:
    """Train the static flavour in ``static_start`` (a folder in the static export's layout) on the
    sentence pairs of ``pairs`` (any file :func:`morphvec.evaluation.read_sentence_pairs` reads:
    KorSTS train) with CoSENT, ``epochs`` passes in batches of ``batch_size`` (sparse Adam at
    ``learning_rate``, ``seed``, ``threads`` torch threads), each pair raw and analysed by the
    run's analyser (``token_stats`` names it); write the result to the folder ``static_tuned``.
    ``exclude``: the run's evaluation pair files, which the training pairs must not be."""
    from morphvec.evaluation import read_sentence_pairs

    start = Path(static_start)
    start = start.parent if start.name == STATIC_FILES[0] else start  # the flavour's folder or its table
    require_file(start / STATIC_FILES[0], "static flavour", "run export_static")
    training = read_sentence_pairs(require_file(pairs, "training sentence pairs", "give tune_static.pairs"))
    overlap = check_not_evaluation(training, pairs, exclude or [])
    corpus = read_json(require_file(token_stats, "token statistics", "run the tokenize step"))
    first, second, gold = _both_inputs(training, corpus)
    started = time.perf_counter()
    table, losses = _train(start, first, second, gold, epochs, batch_size, learning_rate, seed, threads)
    stats = {
        "start": str(start),
        "start_flavour": "sif" if start.name == "sif" else "parity",
        "pairs_file": str(pairs),
        "pairs": len(training.first),
        "training_pairs": len(first),
        "shared_with_evaluation": overlap,
        "settings": {"epochs": epochs, "batch_size": batch_size, "learning_rate": learning_rate, "seed": seed},
        "epoch_losses": [round(loss, 6) for loss in losses],
    }
    _write(start, table, static_tuned, stats)
    log.info("tuned %s on %d pairs in %.0f s: %s", start, len(first), time.perf_counter() - started, stats)
    return stats


def _both_inputs(training, corpus: dict) -> tuple[list[str], list[str], list[float]]:
    """Every pair raw (cleaned as the corpus was) and analysed (whitespace runs keep raw only)."""
    from morphvec.raw_text import analyse_as_keys
    from morphvec.tokenize import clean_text

    raw = [" ".join(clean_text(text, collections.Counter()).split()) for text in training.sentences]
    texts = [raw]
    if corpus.get("tokenizer", "whitespace") != "whitespace":
        cut = analyse_as_keys(sorted(set(raw)), corpus)
        texts.append([" ".join(cut[text]) for text in raw])
    n = len(training.first)
    first = [text for version in texts for text in version[:n]]
    second = [text for version in texts for text in version[n:]]
    return first, second, [float(g) for g in training.gold] * len(texts)


def _train(start: Path, first, second, gold, epochs, batch_size, learning_rate, seed, threads):
    """CoSENT over the flavour's table; the unknown token's row stays zero."""
    import torch

    try:
        from sentence_transformers import SentenceTransformer
        from sentence_transformers.losses import CoSENTLoss
    except ImportError:
        raise UserInputError(
            "the tuned flavour needs sentence-transformers, which is not installed",
            'pip install "morphvec[static]" (or sentence-transformers==6.2.0), or set tune_static.activate: false',
        ) from None

    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    model = SentenceTransformer(str(start), device="cpu")
    loss_function = CoSENTLoss(model)
    # Sparse gradients: a step touches the rows of its batch only (2 s an epoch on the bundled run's
    # KorSTS train against 26 s with dense Adam over the whole table).
    model[0].embedding.sparse = True
    optimizer = torch.optim.SparseAdam(list(model.parameters()), lr=learning_rate)
    labels = torch.tensor(gold, dtype=torch.float32)
    generator = torch.Generator().manual_seed(seed)
    losses = []
    model.train()
    for _ in range(epochs):
        order, total = torch.randperm(len(first), generator=generator).tolist(), 0.0
        for begin in range(0, len(order), batch_size):
            batch = order[begin : begin + batch_size]
            features = [model.preprocess([texts[i] for i in batch]) for texts in (first, second)]
            loss = loss_function(features, labels[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += float(loss) * len(batch)
        losses.append(total / len(order))
        log.info("epoch %d: CoSENT loss %.4f", len(losses), losses[-1])
    table = model[0].embedding.weight.detach().numpy().astype(np.float32)
    table[-1] = 0.0  # the unknown token's row (the export's last): model2vec drops it, ST averages it in
    return table, losses


def _write(start: Path, table: np.ndarray, folder: str | Path, stats: dict) -> None:
    """The four files with the tuned table and the start flavour's tokenizer, and ``stats.json``."""
    from tokenizers import Tokenizer

    from morphvec.export import write_static_folder

    tokenizer = Tokenizer.from_file(str(start / "tokenizer.json"))
    with atomic_dir(folder) as tmp:
        write_static_folder(table, tokenizer, *(Path(tmp) / name for name in STATIC_FILES))
        write_json(Path(tmp) / "stats.json", {**read_json(start / "stats.json"), "tuned": stats})


tune_static.option_help = {
    "static_start": "the flavour to start from: a folder in the static export's layout (export_static/sif, or "
    "export_static for the parity flavour)",
    "pairs": "the sentence pairs to train on (KorSTS's TSV, or sentence1, sentence2, score as TSV, CSV or JSON "
    "lines), e.g. KorSTS train",
    "exclude": "the pair files the run scores (evaluation.sts): refused as training pairs",
}
