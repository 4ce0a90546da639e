"""Rule gather_tokens: concatenate tokenized shards in order, merging their statistics.

The rule's script and a command-line tool: `python scripts/gather_tokens.py --help`.
"""

from morphvec import runtime
from morphvec.tokenize import gather_tokens

runtime.main(gather_tokens, globals())
