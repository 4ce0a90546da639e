"""Rule count_documents: count a corpus's documents for sharding.

The rule's script and a command-line tool: `python scripts/count_documents.py --help`.
"""

from morphvec import runtime
from morphvec.corpus import count_documents

runtime.main(count_documents, globals())
