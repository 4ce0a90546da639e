"""Evaluation: load any vectors, score them on word-similarity and analogy files.

Works on any vectors: a fastText ``.bin``, a gensim ``.kv``/``.model``, a word2vec text or
binary file, or a ``export_torch`` directory.  The report uses it, and ``scripts/evaluate_vectors.py``
offers :func:`evaluate_vectors` as a CLI, so that a researcher can score their own sets::

    python scripts/evaluate_vectors.py --vectors results/nsmc_sample/train_fasttext/model.bin \\
        --similarity ws353_ko=resources/eval/WS353_korean.csv \\
        --analogy family_ko=resources/eval/analogy_family_ko.txt

Similarity files: CSV or TSV (by content), optional header, ``#`` comments, optional BOM;
the first two columns are the words and the last one the human score.  Spearman's rho is
computed over the pairs whose two words are in the vocabulary (``coverage`` = that share);
for vectors with subword information it is also computed over all pairs, with
out-of-vocabulary words built from their character n-grams, and, with a tokenizer (the eojeol
protocol), with words that are not tokens analysed into morphemes and composed
(:mod:`morphvec.query`).  Each ρ comes with a 95% bootstrap interval over the pairs
(:func:`spearman_interval`): on 353 pairs it is about ±0.09 wide, so two models' ρ are compared
by the paired interval of their difference, not by their digits.  Jamo and POS models are read
through :class:`morphvec.query.Space`, so evaluation files stay in ordinary Hangul.

Analogy files: the ``questions-words.txt`` format (``: section`` lines, then ``a b c d``),
scored with gensim's ``evaluate_word_analogies`` (3CosAdd over the vocabulary, query words
excluded, questions with an unknown word skipped; ``coverage`` = questions scored / all), and
for vectors with subwords also with the OOV-aware protocol of :func:`evaluate_analogies_subword`
(and its eojeol variant, whose candidates add the corpus' own eojeol: never the test's words).
Every analogy result also has Park et al.'s distance (:func:`park_distances`), the figure their
Korean analogy tables report; their WS353-ko protocol is ``spearman_all_pairs_subword``.
One parser per file kind: :func:`read_similarity_pairs`, :func:`read_analogy_questions`.
"""

from morphvec.evaluation.analogies import (
    RESTRICT_VOCAB,
    composed_candidates,
    eojeol_candidates,
    evaluate_analogies,
    evaluate_analogies_subword,
    park_distances,
    read_analogy_questions,
)
from morphvec.evaluation.scores import evaluate, evaluate_vectors, evaluation_words, headline_scores
from morphvec.evaluation.sentences import (
    BASELINE,
    SentencePairs,
    evaluate_sentences,
    read_sentence_pairs,
    sentence_texts,
    space_encoder,
    tokens_unknown_share,
)
from morphvec.evaluation.statistics import BOOTSTRAP_RESAMPLES, cosine, spearman_interval
from morphvec.evaluation.words import as_space, evaluate_similarity, nearest_neighbours, read_similarity_pairs

__all__ = [
    "BASELINE",
    "BOOTSTRAP_RESAMPLES",
    "RESTRICT_VOCAB",
    "SentencePairs",
    "as_space",
    "composed_candidates",
    "cosine",
    "eojeol_candidates",
    "evaluate",
    "evaluate_analogies",
    "evaluate_analogies_subword",
    "evaluate_sentences",
    "evaluate_similarity",
    "evaluate_vectors",
    "evaluation_words",
    "headline_scores",
    "nearest_neighbours",
    "park_distances",
    "read_analogy_questions",
    "read_sentence_pairs",
    "read_similarity_pairs",
    "sentence_texts",
    "space_encoder",
    "spearman_interval",
    "tokens_unknown_share",
]
