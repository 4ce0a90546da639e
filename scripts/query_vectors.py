"""Query any vectors morphvec writes: neighbours, analogies, similarity, in the IN or IN-OUT space.

A command-line tool (no rule), e.g.
    python scripts/query_vectors.py --vectors results/nsmc_sample/export_torch \
        --run-dir results/nsmc_sample --neighbours 영화 --analogy "왕 - 남자 + 여자" --space in-out
"""

from morphvec import runtime
from morphvec.query import query_vectors

runtime.main(query_vectors, globals())
