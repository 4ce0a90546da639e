"""Rule finetune_word2vec: word2vec started from pretrained vectors, trained on the corpus.

The rule's script and a command-line tool: `python scripts/finetune_word2vec.py --help`.
"""

from morphvec import runtime
from morphvec.finetune import finetune_word2vec

runtime.main(finetune_word2vec, globals())
