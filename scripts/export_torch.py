"""Export fastText word and n-gram vectors for PyTorch, in safetensors (no pickle).

Writes, into one directory:

* ``embeddings.safetensors`` -- ``word_vectors`` (the ``nn.Embedding.from_pretrained`` weights,
  row ``i`` = vocabulary id ``i``) and ``ngram_vectors`` (the hashed character n-gram matrix),
  with the n-gram settings in the file's metadata;
* ``vocab.txt`` -- the vocabulary, one word per line, in id order;
* ``fasttext_torch.py`` -- the torch-only loader, so the directory is self-contained.
"""

import argparse
import json
import logging
import shutil
import sys
from pathlib import Path

import numpy as np

from fasttext_torch import FORMAT
from pipeline_io import UserInputError, atomic_open, atomic_path, read_json, require_file, run_step, snakemake_log

log = logging.getLogger("morphvec.export_torch")

LOADER = Path(__file__).with_name("fasttext_torch.py")


def read_vocab_tsv(path: str | Path) -> list[str]:
    """Words of an ``extract_vectors`` ``vocab.tsv`` (``id word count``), in id order."""
    words = []
    with open(path, encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        if header[:2] != ["id", "word"]:
            raise UserInputError(f"{path}: line 1: expected a header 'id<TAB>word<TAB>count', got {header}")
        for number, line in enumerate(handle, start=2):
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 2 or fields[0] != str(number - 2):
                raise UserInputError(f"{path}: line {number}: expected id {number - 2} and a word, got {fields[:2]}")
            words.append(fields[1])
    return words


def export_torch(
    word_vectors: str | Path,
    ngram_vectors: str | Path,
    vocab_tsv: str | Path,
    settings_json: str | Path,
    weights_out: str | Path,
    vocab_out: str | Path,
    loader_out: str | Path | None = None,
) -> dict:
    """Write the safetensors file, the vocabulary and the loader."""
    import torch
    from safetensors.torch import save_file

    words = read_vocab_tsv(require_file(vocab_tsv, "vocabulary", "run the extract_vectors step first"))
    settings = read_json(require_file(settings_json, "n-gram settings", "run the extract_vectors step first"))
    word_matrix = np.load(require_file(word_vectors, "word vectors", "run extract_vectors first"))
    ngram_matrix = np.load(require_file(ngram_vectors, "n-gram vectors", "run extract_vectors first"))
    if word_matrix.shape[0] != len(words):
        raise UserInputError(f"{word_vectors} has {word_matrix.shape[0]} rows but {vocab_tsv} {len(words)} words")
    bad = [w for w in words if not w or any(c.isspace() for c in w)]
    if bad:
        raise UserInputError(f"{vocab_tsv}: vocabulary entries with whitespace cannot go to vocab.txt: {bad[:5]}")

    tensors = {
        "word_vectors": torch.from_numpy(np.ascontiguousarray(word_matrix, dtype=np.float32)),
        "ngram_vectors": torch.from_numpy(np.ascontiguousarray(ngram_matrix, dtype=np.float32)),
    }
    metadata = {"format": FORMAT, "ngram_settings": json.dumps(settings, sort_keys=True)}
    with atomic_path(weights_out, suffix=".safetensors") as tmp:
        save_file(tensors, tmp, metadata=metadata)
    with atomic_open(vocab_out) as out:
        out.write("".join(word + "\n" for word in words))
    if loader_out is not None:
        with atomic_path(loader_out, suffix=".py") as tmp:
            shutil.copyfile(LOADER, tmp)
    log.info("exported %s word vectors and %s n-gram vectors to %s", word_matrix.shape, ngram_matrix.shape, weights_out)
    return {"words": len(words), "dim": int(word_matrix.shape[1]), "bucket": int(ngram_matrix.shape[0])}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("extract_dir", help="directory written by extract_vectors.py")
    parser.add_argument("out_dir", help="output directory for the torch export")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    src, dst = Path(args.extract_dir), Path(args.out_dir)
    return run_step(
        lambda: export_torch(
            src / "word_vectors.npy",
            src / "ngram_vectors.npy",
            src / "vocab.tsv",
            src / "ngram_settings.json",
            dst / "embeddings.safetensors",
            dst / "vocab.txt",
            dst / "fasttext_torch.py",
        )
    )


if "snakemake" in globals():
    sm = globals()["snakemake"]
    sys.exit(
        run_step(
            lambda: export_torch(
                sm.input.word_vectors,
                sm.input.ngram_vectors,
                sm.input.vocab,
                sm.input.ngram_settings,
                sm.output.weights,
                sm.output.vocab,
                sm.output.loader,
            ),
            snakemake_log(sm),
        )
    )
elif __name__ == "__main__":
    sys.exit(main())
