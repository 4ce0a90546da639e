"""morphvec's library: the code beneath the step scripts in ``scripts/``, one module per concern.

* :mod:`morphvec.runtime` -- the step runtime: logs, atomic outputs, errors turned into messages;
* :mod:`morphvec.schema` and :mod:`morphvec.cli` -- defaults from the config schema, command lines
  derived from the step functions;
* :mod:`morphvec.layout` -- where every file of a run lives under ``results/``;
* :mod:`morphvec.corpus` -- reading corpora (formats, encodings) and the token-count file;
* :mod:`morphvec.tokenize` -- cleaning and tokenizers (MeCab-ko, whitespace), sharding;
* :mod:`morphvec.training` -- fastText / gensim training in a child process;
* :mod:`morphvec.vectors` -- gensim files, plain arrays, n-gram settings, word2vec files;
* :mod:`morphvec.export` and :mod:`morphvec.fasttext_torch` -- the PyTorch export and its loader;
* :mod:`morphvec.finetune` -- word2vec fine-tuning from pretrained vectors;
* :mod:`morphvec.evaluation` -- loading any vectors, similarity and analogy files and scores;
* :mod:`morphvec.parity`, :mod:`morphvec.analyses`, :mod:`morphvec.plots` -- the report's parts;
* :mod:`morphvec.render` -- HTML through jinja2 templates; :mod:`morphvec.report`,
  :mod:`morphvec.summary` -- the per-run report and the comparison of runs.

Importing the package imports nothing heavy: each module imports its libraries itself.
"""
