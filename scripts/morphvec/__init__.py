"""morphvec's library: the code beneath the step scripts in ``scripts/``, one module per concern.

* :mod:`morphvec.runtime` -- the step runtime: logs, atomic outputs, errors turned into messages
  (:mod:`morphvec.errors`: the error a user can fix; :mod:`morphvec.outputs`: the rule for every
  path a command writes, never what morphvec did not write);
* :mod:`morphvec.schema` and :mod:`morphvec.cli` -- defaults and cross-key rules from the config
  schema, command lines derived from the step functions;
* :mod:`morphvec.workflow` -- what the Snakefile's rules compute: config checks, input
  functions, params, resources;
* :mod:`morphvec.layout` -- where every file of a run lives under ``results/``;
* :mod:`morphvec.corpus` -- reading corpora (formats, encodings) and the token-count file;
* :mod:`morphvec.tokenizers` -- the tokenizer registry, one module per tokenizer;
  :mod:`morphvec.tokenize` -- cleaning, the tokenize step, sharding; :mod:`morphvec.jamo`;
* :mod:`morphvec.training` -- fastText / gensim training in a child process;
* :mod:`morphvec.vectors` -- the load_gensim and extract_vectors steps (gensim files, arrays,
  word2vec files);
* :mod:`morphvec.formats` -- every vector format morphvec reads, opened in one place;
* :mod:`morphvec.export` and :mod:`morphvec.fasttext_torch` -- the torch exports and their loader;
  :mod:`morphvec.compress` -- compact models;
* :mod:`morphvec.finetune` -- word2vec fine-tuning from pretrained vectors;
* :mod:`morphvec.query` -- vectors queried in ordinary Hangul; :mod:`morphvec.evaluation` --
  similarity and analogy files and scores;
* :mod:`morphvec.parity`, :mod:`morphvec.analyses`, :mod:`morphvec.plots`, :mod:`morphvec.pages`
  -- the report's parts (:mod:`morphvec.pages`: resident pages of memory-mapped matrices);
* :mod:`morphvec.render` -- HTML through jinja2 templates; :mod:`morphvec.report`,
  :mod:`morphvec.summary` -- the per-run report and the comparison of runs;
* :mod:`morphvec.provenance`, :mod:`morphvec.manifest` -- versions, digests, the RO-Crate, verify;
  :mod:`morphvec.package` -- the folder to publish (:mod:`morphvec.hub_metadata`: its card's
  metadata as the hub checks it).

Importing the package imports nothing heavy: each module imports its libraries itself.
"""

from importlib import metadata as _metadata

try:  # the one home of the version is pyproject.toml; an installed morphvec (wheel or editable) carries it
    __version__ = _metadata.version("morphvec")
except _metadata.PackageNotFoundError:  # the library imported from a checkout that was never installed
    __version__ = "0+unknown"
