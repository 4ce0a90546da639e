"""Rule tokenize_corpus: tokenize a corpus (or one shard of it) into one document per line.

The rule's script and a command-line tool: `python scripts/tokenize_corpus.py --help`.
"""

from morphvec import runtime
from morphvec.tokenize import tokenize_corpus

runtime.main(tokenize_corpus, globals())
