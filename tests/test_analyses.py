import numpy as np
import pytest

from morphvec.analyses import corpus_profile, is_word_like, sentiment_probe
from morphvec.plots import pca_png, zipf_png
from morphvec.summary import differing_settings, page_view, summary_rows


def test_corpus_profile_of_an_exact_zipf_distribution():
    counts = [(f"w{rank}", 100000 // rank) for rank in range(1, 2001)]
    profile = corpus_profile(counts)
    assert profile["zipf_slope"] == pytest.approx(-1.0, abs=0.01)
    assert profile["types"] == 2000 and profile["tokens"] == sum(c for _, c in counts)
    counts = [("가", 3), ("영화", 2), ("재밌다", 1)]
    profile = corpus_profile(counts)
    assert profile["token_length_histogram"] == {"1": 3, "2": 2, "3": 1}
    assert profile["mean_token_length"] == pytest.approx((3 + 4 + 3) / 6, abs=1e-4)  # rounded to 4 places
    assert profile["hapax_share_of_types"] == pytest.approx(1 / 3)


def test_sentiment_probe_separates_separable_data_and_reports_the_baseline():
    rng = np.random.default_rng(0)
    ratings = rng.integers(1, 11, size=600)
    vectors = rng.normal(size=(600, 8))
    vectors[:, 0] += np.where(ratings >= 9, 5.0, -5.0)  # one direction carries the sentiment
    result = sentiment_probe(vectors, [str(r) for r in ratings], 4, 9, 0.25, seed=0)
    kept = int(((ratings <= 4) | (ratings >= 9)).sum())
    assert result["documents"] == kept and result["train"] + result["test"] == kept
    assert result["accuracy"] == 1.0
    assert 0.5 <= result["majority_baseline"] < 1.0
    noise = sentiment_probe(rng.normal(size=(600, 8)), [str(r) for r in ratings], 4, 9, 0.25, seed=0)
    assert noise["accuracy"] < 0.75


def test_sentiment_probe_takes_named_classes_and_explains_every_skip():
    rng = np.random.default_rng(0)
    names = rng.choice(["neg", "pos"], size=400)
    vectors = rng.normal(size=(400, 8))
    vectors[:, 0] += np.where(names == "pos", 5.0, -5.0)
    result = sentiment_probe(vectors, names.tolist(), 4, 9, 0.25, seed=0)
    assert result["accuracy"] == 1.0 and result["documents"] == 400 and "neg, pos" in result["rule"]
    one_class = sentiment_probe(vectors, ["good"] * 400, 4, 9, 0.25, seed=0)
    assert "two classes" in one_class["skipped"]
    mixed = sentiment_probe(vectors, ["1", "10", "ten"] * 133 + ["1"], 4, 9, 0.25, seed=0)
    assert "'ten'" in mixed["skipped"] and "label_column" in mixed["skipped"]


def test_plots_are_pngs_with_korean_labels():
    png = pca_png(["영화", "배우", "감독", "재미"], np.eye(4, 5), "PCA")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert zipf_png([("영화", 10), ("가", 5), ("다", 1)], "t")[:4] == b"\x89PNG"
    import matplotlib

    assert matplotlib.rcParams["font.family"] == ["NanumGothic"]  # a font with Hangul
    assert is_word_like("영화") and is_word_like("2") and not is_word_like("...")


def test_summary_shows_only_the_settings_that_differ():
    settings = {
        "a": {"tokenizer": {"name": "mecab", "threads": 2}, "fasttext": {"dim": 100, "minn": 3}, "trainer": "fasttext"},
        "b": {
            "tokenizer": {"name": "whitespace", "threads": 1},
            "fasttext": {"dim": 100, "minn": 1},
            "trainer": "fasttext",
        },
    }
    assert differing_settings(settings) == ["fasttext.minn", "tokenizer.name"]
    metrics = {
        run: {
            "corpus": {"documents": 10, "tokens": 50, "types": 20, "seconds": 1.0},
            "training": {"seconds": 2.0},
            "vocabulary_size": 15,
            "parity": {"max_abs_diff": 1e-7, "passed": True},
            "quality": {"similarity": {"ws": {"spearman": rho, "coverage": 0.5}}, "analogy": {}},
            "sentiment_probe": {"accuracy": 0.8, "majority_baseline": 0.6},
        }
        for run, rho in (("a", 0.3), ("b", 0.2))
    }
    columns, rows = summary_rows(metrics, settings, sizes={"a": 12_345_678})
    assert columns[:3] == ["run", "fasttext.minn", "tokenizer.name"]
    assert rows[0][columns.index("export_bytes")] == 12_345_678 and rows[1][columns.index("export_bytes")] is None
    assert rows[0][:3] == ["a", 3, "mecab"] and rows[1][:3] == ["b", 1, "whitespace"]
    assert rows[0][columns.index("ws_spearman")] == 0.3
    assert rows[1][columns.index("sentiment_accuracy")] == 0.8
    table = page_view(columns, rows, ["fasttext.minn", "tokenizer.name"])
    assert table["transposed"] and table["runs"] == ["a", "b"]  # two runs: a measure per row
    measures = [m for group in table["groups"] for m in group["measures"]]
    assert all(m["explanation"] for m in measures)  # every column explained
    titles = {group["title"] for group in table["groups"]}
    assert {"settings that differ", "corpus and vocabulary", "parity", "ws", "sentiment probe"} <= titles
    coverage = next(m for m in measures if m["title"] == "coverage")
    assert coverage["cells"] == ["50.0%", "50.0%"] and "pairs" in coverage["explanation"]  # as in the report
    parity = next(m for m in measures if m["title"] == "largest difference")
    assert parity["cells"] == ["1.0e-07", "1.0e-07"]
    size = next(m for m in measures if m["title"] == "export size (MB)")
    assert size["cells"] == ["12.3", "–"]
    interval = next(m for m in measures if m["title"] == "ρ, all pairs (subword): 95% interval")
    assert interval["cells"] == ["–", "–"]  # runs without subword vectors have no interval
    # the subword scheme is a setting of its own (top-level), compared as the others are
    settings["b"]["subwords"] = "syllable_jamo"
    assert differing_settings(settings) == ["fasttext.minn", "subwords", "tokenizer.name"]


def test_summary_gives_rho_its_interval_and_the_paired_difference_from_the_first_run():
    from scipy.stats import spearmanr

    rng = np.random.default_rng(3)
    human = list(rng.random(200))
    scores = {"a": [h + 0.3 * x for h, x in zip(human, rng.random(200), strict=True)]}
    scores["b"] = [h + 2 * x for h, x in zip(human, rng.random(200), strict=True)]
    inputs = {"similarity:ws": {"sha256": "same"}}
    metrics = {
        run: {
            "corpus": {"documents": 10, "tokens": 50, "types": 20},
            "vocabulary_size": 15,
            "inputs": inputs,
            "parity": {"max_abs_diff": 1e-7, "passed": True},
            "quality": {
                "similarity": {
                    "ws": {
                        "spearman": 0.5,
                        "coverage": 1.0,
                        "spearman_all_pairs_subword": float(spearmanr(human, cosines).statistic),
                        "spearman_all_pairs_subword_interval": [0.1, 0.9],
                        "human_scores": human,
                        "cosines_all_pairs_subword": cosines,
                    }
                },
                "analogy": {},
            },
        }
        for run, cosines in scores.items()
    }
    settings = {"a": {"fasttext": {"dim": 100}}, "b": {"fasttext": {"dim": 300}}}
    columns, rows = summary_rows(metrics, settings)
    a, b = ({c: v for c, v in zip(columns, row, strict=True)} for row in rows)
    assert a["ws_difference_subword"] is None  # the first run is the reference
    rho = {run: metrics[run]["quality"]["similarity"]["ws"]["spearman_all_pairs_subword"] for run in "ab"}
    assert b["ws_difference_subword"] == pytest.approx(rho["b"] - rho["a"], abs=1e-4)
    assert b["ws_difference_subword_low"] < b["ws_difference_subword"] < b["ws_difference_subword_high"] < 0
    table = page_view(columns, rows, ["fasttext.dim"])
    measures = {m["title"]: m for group in table["groups"] for m in group["measures"]}
    assert measures["ρ, all pairs (subword): 95% interval"]["cells"] == ["0.100 to 0.900"] * 2
    difference = measures["difference: paired 95% interval"]["cells"]
    assert difference[0] == "–" and difference[1].startswith("-0.") and " to -0." in difference[1]
    assert not any(title.endswith("_high") for title in measures)  # each interval one row
    # a run scored on another file is not compared
    metrics["b"]["inputs"] = {"similarity:ws": {"sha256": "other"}}
    columns, rows = summary_rows(metrics, settings)
    assert rows[1][columns.index("ws_difference_subword")] is None


def test_figures_are_drawn_at_twice_their_page_size():
    from morphvec.plots import DPI, PAGE_DPI, shown_width, token_length_png

    png = token_length_png({"1": 900, "2": 99, "30": 1}, "t")
    width = int.from_bytes(png[16:20], "big")
    assert DPI == 2 * PAGE_DPI and shown_width(png) * 2 == width


def test_punctuation_tokens_read_as_tokens_and_zero_has_no_sign():
    from morphvec.render import score, token

    assert token("영화") == "영화" and str(token(",")) == "<code>','</code>"
    assert str(token("<>")) == "<code>'&lt;&gt;'</code>"  # still escaped
    assert type(token("<b>")) is str  # a word: left to the template, which escapes it
    assert score(-0.001) == "0.00" and score(-0.2) == "-0.20"
