"""Verify a finished run: rerun it into a fresh directory and compare every file, byte for byte.

`python scripts/verify_run.py --results results/<run>/ro-crate-metadata.json` (or a run or results
directory); `--help` lists the options.
"""

from morphvec import runtime
from morphvec.manifest import verify_run

runtime.main(verify_run, globals())
