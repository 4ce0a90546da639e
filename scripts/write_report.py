"""Rule write_report: parity, quality, probe and plots of one run.

The rule's script and a command-line tool: `python scripts/write_report.py --help`.
"""

from morphvec import runtime
from morphvec.report import write_report

runtime.main(write_report, globals())
