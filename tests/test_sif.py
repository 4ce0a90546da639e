"""The SIF flavour (morphvec/sif.py) baked into a static table: the plain mean of its rows is
Arora et al.'s sentence vector, in model2vec as in numpy, and the run's export carries it."""

import json

import numpy as np

from morphvec import formats, sif


def test_the_mean_of_sif_rows_is_the_sif_sentence_vector():
    rng = np.random.default_rng(0)
    table = rng.normal(size=(50, 8)).astype(np.float32)
    table /= np.linalg.norm(table, axis=1, keepdims=True)
    words = [f"w{i}" for i in range(50)]
    counts = {word: 1000 // (rank + 1) for rank, word in enumerate(words)}  # Zipf-like
    weights = sif.sif_weights(words, counts, 1e-3)
    assert weights[0] < weights[10] < weights[49] <= 1  # the frequent weigh least
    documents = [list(rng.integers(0, 50, size=7)) for _ in range(200)]
    weighted = sif.sif_table(table, weights, np.zeros((0, 8)))
    directions = sif.common_directions(weighted, documents, 1)
    rows = sif.sif_table(table, weights, directions)
    sentence = [3, 0, 17, 0]
    by_hand = np.mean([weights[i] * table[i] for i in sentence], axis=0)
    by_hand -= directions[0] * (directions[0] @ by_hand)  # SIF: the common component removed
    assert np.abs(rows[sentence].mean(axis=0) - by_hand).max() < 1e-6
    assert abs(float(rows[sentence].mean(axis=0) @ directions[0])) < 1e-6
    assert sif.common_directions(weighted, documents, 0).shape == (0, 8)


def test_the_document_sample_is_spread_over_the_file(tmp_path):
    tokens = tmp_path / "tokens.txt"
    tokens.write_text("".join(f"doc {i}\n" if i % 10 else "\n" for i in range(1000)), encoding="utf-8")
    sample = sif.document_sample(tokens, 30)
    assert len(sample) == 30 and sample[0] == ["doc", "1"] and int(sample[-1][1]) > 900
    assert sif.document_sample(tokens, 5000) == [line.split() for line in tokens.read_text().split("\n") if line]
    assert sif.document_sample(tokens, 0) == []


def test_the_run_exports_the_sif_flavour_that_model2vec_opens(tiny_pipeline):
    from model2vec import StaticModel

    from morphvec.corpus import read_token_counts

    folder = tiny_pipeline["static_sif"]
    documents = [line for line in tiny_pipeline["tokens"].read_text(encoding="utf-8").splitlines() if line.strip()]
    stats = json.loads((folder / "stats.json").read_text(encoding="utf-8"))
    # the schema's a; one common direction (the tiny config's: the default takes none out)
    assert stats["sif"] == {"a": 0.0003, "components": 1, "documents": len(documents)}  # the tiny corpus, whole
    parity, flavoured = (formats.StaticVectors(d) for d in (tiny_pipeline["static_weights"].parent, folder))
    vocabulary = parity.tokenizer.get_vocab()
    words = sorted(vocabulary, key=vocabulary.get)  # by row
    weights = sif.sif_weights(words, dict(read_token_counts(tiny_pipeline["token_counts"])), 0.0003)
    text = " ".join(documents[0].split()[:15])
    ids = [i for i in parity.ids([text])[0] if i != parity.unknown_id]
    weighted = np.mean([weights[i] * parity.embeddings[i] for i in ids], axis=0)
    ours = flavoured.sentence_vectors([text])[0]
    # SIF's vector is the weighted mean less its component along one direction of the corpus
    residual = weighted - ours
    direction = residual / np.linalg.norm(residual)
    assert np.abs(weighted - direction * (direction @ weighted) - ours).max() < 1e-5
    model = StaticModel.from_pretrained(str(folder))
    assert np.abs(model.encode([text])[0] - ours).max() < 1e-5
