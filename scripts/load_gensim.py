"""Rule load_gensim: open the fastText .bin in gensim and save it memory-mappable.

The rule's script and a command-line tool: `python scripts/load_gensim.py --help`.
"""

from morphvec import runtime
from morphvec.vectors import load_gensim

runtime.main(load_gensim, globals())
