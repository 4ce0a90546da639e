"""Rule package_model: the model folder ready to publish (fastText, static and torch exports, card).

The rule's script and a command-line tool: `python scripts/package_model.py --help`
(or `morphvec package RUN --into DIR`).
"""

from morphvec import runtime
from morphvec.package import package_model

runtime.main(package_model, globals())
