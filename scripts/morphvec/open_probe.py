"""``python -m morphvec.open_probe DIR``: open an export with the loader copied beside it, in this
fresh interpreter, and print the seconds and the peak memory that opening and one lookup took
(as one JSON line).  :func:`morphvec.analyses.open_cost` runs it; a fresh process per measurement
keeps one model's pages from being counted for the next."""

import json
import resource
import sys
import time


def main(directory: str) -> None:
    sys.path.insert(0, directory)
    import torch  # noqa: F401  (imported before the clock starts: the cost of opening, not of torch)
    from fasttext_torch import FastTextEmbedding

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    embedding = FastTextEmbedding.load(directory)
    embedding.word_vectors(["a"])
    seconds = time.perf_counter() - started
    added = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(json.dumps({"open_seconds": seconds, "rss_added_mb": added}))


if __name__ == "__main__":
    main(sys.argv[1])
