"""Rule write_manifest: the RO-Crate manifest of one run (every input and output, SHA-256, versions).

The rule's script and a command-line tool: `python scripts/write_manifest.py --help`.
"""

from morphvec import runtime
from morphvec.manifest import write_manifest

runtime.main(write_manifest, globals())
