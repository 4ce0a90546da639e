"""Rule compress_vectors: one compact model (pruned, product-quantized) for the torch loader.

The rule's script and a command-line tool: `python scripts/compress_vectors.py --help`.
"""

from morphvec import runtime
from morphvec.compress import compress_vectors

runtime.main(compress_vectors, globals())
