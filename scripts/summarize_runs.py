"""Rule summarize_runs: all runs side by side.

The rule's script and a command-line tool: `python scripts/summarize_runs.py --help`.
"""

from morphvec import runtime
from morphvec.summary import summarize_runs

runtime.main(summarize_runs, globals())
