"""Rule export_static: the sentence-transformers / model2vec folder (static embeddings).

The rule's script and a command-line tool: `python scripts/export_static.py --help`.
"""

from morphvec import runtime
from morphvec.export import export_static

runtime.main(export_static, globals())
