"""Rule tune_static: the static export's tuned flavour, trained on sentence pairs (optional step).

The rule's script and a command-line tool: `python scripts/tune_static.py --help`.
"""

from morphvec import runtime
from morphvec.tune import tune_static

runtime.main(tune_static, globals())
