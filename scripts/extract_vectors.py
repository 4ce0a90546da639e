"""Rule extract_vectors: vocabulary, word / n-gram / output vectors, word2vec files.

The rule's script and a command-line tool: `python scripts/extract_vectors.py --help`.
"""

from morphvec import runtime
from morphvec.vectors import extract_vectors

runtime.main(extract_vectors, globals())
