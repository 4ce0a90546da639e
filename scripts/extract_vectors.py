"""Extract plain arrays and standard files from a gensim fastText model.

Outputs (all in ``key_to_index`` order, so row ``i`` of every matrix is the word with id ``i``):

* ``vocab.tsv`` -- ``id``, ``word``, ``count`` (the training-corpus frequency);
* ``word_vectors.npy`` -- the word vectors exactly as ``wv.get_vector`` / fastText's
  ``get_word_vector`` return them (word row and its n-gram rows averaged);
* ``ngram_vectors.npy`` -- the character n-gram bucket matrix (``vectors_ngrams``);
* ``ngram_settings.json`` -- what it takes to compute an out-of-vocabulary vector from it;
* ``vectors.w2v.txt`` / ``vectors.w2v.bin`` -- word2vec text and binary (GoogleNews) format;
* ``output_vectors.npy`` -- the output ("out", ``syn1neg``) vectors of negative sampling, the
  second half of the dual embedding space.
"""

import argparse
import logging
import sys
from pathlib import Path

import numpy as np

from pipeline_io import UserInputError, atomic_open, atomic_path, require_file, run_step, snakemake_log, write_json

log = logging.getLogger("morphvec.extract")

EOS = "</s>"
NGRAM_HASH = "fastText FNV-1a 32-bit over UTF-8 bytes, each byte sign-extended (int8) before the xor"


def save_npy(path: str | Path, array: np.ndarray) -> None:
    with atomic_open(path, "wb") as handle:
        np.save(handle, np.ascontiguousarray(array, dtype=np.float32))


def fasttext_word_vectors(wv) -> np.ndarray:
    """The vectors fastText's ``get_word_vector`` gives for every vocabulary word.

    Identical to gensim's ``wv.vectors`` except for the end-of-sentence token ``</s>``: fastText
    gives it no character n-grams (``Dictionary::initNgrams`` skips EOS), so its vector is its
    word row alone, while gensim 4.4 averages in the n-grams of ``"<</s>>"`` like any word.
    fastText is the reference, so the exports follow it.
    """
    vectors = np.array(wv.vectors, dtype=np.float32)
    index = wv.key_to_index.get(EOS)
    if index is not None:
        vectors[index] = wv.vectors_vocab[index]
    return vectors


def ngram_settings(wv) -> dict:
    """The parameters that define how a word's character n-grams map to rows."""
    return {
        "min_n": int(wv.min_n),
        "max_n": int(wv.max_n),
        "bucket": int(wv.bucket),
        "vector_size": int(wv.vector_size),
        "vocabulary_size": len(wv.index_to_key),
        "word_boundary": ["<", ">"],
        "hash": NGRAM_HASH,
        "compatible_hash": bool(getattr(wv, "compatible_hash", True)),
        "oov_vector": "mean of the n-gram rows of '<' + word + '>' (zero if the word has none)",
        "in_vocab_vector": "mean of the word row and its n-gram rows (stored in word_vectors.npy)",
    }


def extract_vectors(model_path: str | Path, outputs: dict[str, str | Path]) -> dict:
    """Write the files named in ``outputs`` (keys as in the module docstring)."""
    from gensim.models import FastText

    model_path = require_file(model_path, "gensim model", "run the load_gensim step first")
    model = FastText.load(str(model_path), mmap="r")
    wv = model.wv
    # The seed notebook's sanity check: one vector per vocabulary entry, nothing more.
    assert len(wv.key_to_index) == len(wv.vectors), (len(wv.key_to_index), len(wv.vectors))
    if not model.negative or getattr(model, "syn1neg", None) is None:
        raise UserInputError(
            f"{model_path} has no negative-sampling output layer (syn1neg)\n"
            "  fix: train with loss 'ns' (fastText's default for unsupervised models)"
        )

    with atomic_open(outputs["vocab"]) as out:
        out.write("id\tword\tcount\n")
        for index, word in enumerate(wv.index_to_key):
            out.write(f"{index}\t{word}\t{wv.get_vecattr(word, 'count')}\n")
    save_npy(outputs["word_vectors"], fasttext_word_vectors(wv))
    save_npy(outputs["ngram_vectors"], wv.vectors_ngrams)
    save_npy(outputs["output_vectors"], model.syn1neg)
    settings = ngram_settings(wv)
    write_json(outputs["ngram_settings"], settings)
    with atomic_path(outputs["w2v_txt"]) as tmp:
        wv.save_word2vec_format(tmp, binary=False)
    with atomic_path(outputs["w2v_bin"]) as tmp:
        wv.save_word2vec_format(tmp, binary=True)
    log.info(
        "extracted %d words, %d n-gram buckets, output vectors %s",
        len(wv),
        wv.vectors_ngrams.shape[0],
        model.syn1neg.shape,
    )
    return settings


OUTPUT_NAMES = (
    "vocab",
    "word_vectors",
    "ngram_vectors",
    "ngram_settings",
    "w2v_txt",
    "w2v_bin",
    "output_vectors",
)
DEFAULT_FILES = {
    "vocab": "vocab.tsv",
    "word_vectors": "word_vectors.npy",
    "ngram_vectors": "ngram_vectors.npy",
    "ngram_settings": "ngram_settings.json",
    "w2v_txt": "vectors.w2v.txt",
    "w2v_bin": "vectors.w2v.bin",
    "output_vectors": "output_vectors.npy",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help="gensim FastText model (from load_gensim)")
    parser.add_argument("out_dir", help="directory for the extracted files")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    outputs = {key: Path(args.out_dir) / name for key, name in DEFAULT_FILES.items()}
    return run_step(lambda: extract_vectors(args.model, outputs))


if "snakemake" in globals():
    sm = globals()["snakemake"]
    sys.exit(
        run_step(
            lambda: extract_vectors(sm.input.model, {key: sm.output[key] for key in OUTPUT_NAMES}),
            snakemake_log(sm),
        )
    )
elif __name__ == "__main__":
    sys.exit(main())
