"""Rule train_fasttext: train unsupervised fastText embeddings.

The rule's script and a command-line tool: `python scripts/train_fasttext.py --help`.
"""

from morphvec import runtime
from morphvec.training import train_fasttext

runtime.main(train_fasttext, globals())
