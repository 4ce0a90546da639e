"""Score any vectors on word-similarity and analogy files (a CLI, no rule).

The rule's script and a command-line tool: `python scripts/evaluate_vectors.py --help`.
"""

from morphvec import runtime
from morphvec.evaluation import evaluate_vectors

runtime.main(evaluate_vectors, globals())
