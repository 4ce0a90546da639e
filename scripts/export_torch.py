"""Rule export_torch: safetensors weights, vocabulary and the torch-only loader.

The rule's script and a command-line tool: `python scripts/export_torch.py --help`.
"""

from morphvec import runtime
from morphvec.export import export_torch

runtime.main(export_torch, globals())
