"""Korean options: jamo units, the Kiwi analyser, POS tokens, dominant tags, eojeol queries."""

import json

import numpy as np
import pytest
from conftest import SEED_SENTENCE, sample_rows

from morphvec import jamo, layout
from morphvec.corpus import read_tagged_counts, read_token_counts, read_token_tags, write_token_counts
from morphvec.query import Space, open_space
from morphvec.tokenize import Tokenizer, tokenize_corpus

KIWI_SEED = [
    ("우리", "NP"), ("에게", "JKB"), ("굵직", "XR"), ("하", "XSA"), ("ᆫ", "ETM"), ("지혜", "NNG"), ("들", "XSN"),
    ("을", "JKO"), ("건네", "VV"), ("는", "ETM"), ("너무나", "MAG"), ("멋지", "VA"), ("ᆫ", "ETM"), ("영화", "NNG"),
]  # fmt: skip


def test_every_syllable_round_trips_through_jamo():
    syllables = "".join(chr(code) for code in range(0xAC00, 0xD7A4))
    decomposed = jamo.to_jamo(syllables)
    assert len(decomposed) == 3 * len(syllables)
    assert not any(0xAC00 <= ord(ch) <= 0xD7A3 for ch in decomposed)
    assert jamo.from_jamo(decomposed) == syllables
    mixed = SEED_SENTENCE + " ㅋㅋㅋ abc 123 ∅ 가∅ ᆫ"  # compatibility jamo, Latin, a literal ∅, a lone final
    assert jamo.from_jamo(jamo.to_jamo(mixed)) == mixed
    assert jamo.to_jamo("영화") == "\u110b\u1167\u11bc\u1112\u116a\u2205"  # ㅇㅕㅇ ㅎㅘ∅


def test_jamo_models_are_recognised_by_their_vocabulary():
    assert jamo.is_jamo_vocabulary([jamo.to_jamo(w) for w in ["영화", "배우", "ㅋㅋ", "."]])
    assert not jamo.is_jamo_vocabulary(["영화", "ᆫ", "배우"])  # Kiwi's lone-final ending in a syllable model
    assert not jamo.is_jamo_vocabulary(["movie", "actor"])


def test_kiwi_analyses_the_seed_sentence():
    assert Tokenizer("kiwi")(SEED_SENTENCE) == KIWI_SEED


def test_pos_tokens_and_dominant_tags(tmp_path):
    corpus = tmp_path / "reviews.tsv"
    corpus.write_text("\n".join(sample_rows(200)) + "\n", encoding="utf-8")
    stats = tokenize_corpus(
        corpus, tmp_path / "tokens.txt", tmp_path / "stats.json", tmp_path / "counts.tsv", pos=True, threads=1
    )
    assert stats["pos"] is True and stats["unit"] == "syllable"
    tokens = (tmp_path / "tokens.txt").read_text(encoding="utf-8").split()
    assert "영화/NNG" in tokens and all("/" in token for token in tokens)
    tags = read_token_tags(tmp_path / "counts.tsv")
    assert tags["영화/NNG"] == "NNG"
    counts = dict(read_token_counts(tmp_path / "counts.tsv"))
    assert sum(counts.values()) == stats["tokens"] == len(tokens)


def test_token_counts_keep_every_tag_and_the_dominant_one_first(tmp_path):
    counts = {("이", "JKS"): 5, ("이", "VCP"): 7, ("이", "NP"): 1, ("영화", "NNG"): 3}
    write_token_counts(tmp_path / "c.tsv", counts)
    assert (tmp_path / "c.tsv").read_text(encoding="utf-8").splitlines() == [
        "이\t13\tVCP:7 JKS:5 NP:1",
        "영화\t3\tNNG:3",
    ]
    assert read_token_tags(tmp_path / "c.tsv") == {"이": "VCP", "영화": "NNG"}
    assert read_tagged_counts(tmp_path / "c.tsv") == counts  # shards merge exactly


def test_jamo_tokens_open_in_every_reader_and_are_queried_in_hangul(workflow_run):
    import fasttext
    from gensim.models.fasttext import load_facebook_vectors

    run_dir = workflow_run / "results/ko_kiwi_jamo"
    tokens = (run_dir / "tokenize_corpus/tokens.txt").read_text(encoding="utf-8")
    assert not any(0xAC00 <= ord(ch) <= 0xD7A3 for ch in tokens)  # no precomposed syllable left
    model_bin = layout.run_file("model_bin", run_dir)
    ft = fasttext.load_model(model_bin)
    assert jamo.is_jamo_vocabulary(ft.words)
    assert len(load_facebook_vectors(model_bin).index_to_key) == len(ft.words)
    spaces = {
        "fasttext": open_space(model_bin, tokenizer="kiwi"),
        "torch": open_space(layout.run_file("torch_weights", run_dir), tokenizer="kiwi"),
    }
    unseen = ["괄괄한뭉게구름", "졸잼", "갑분싸"]  # never in the corpus: n-gram vectors only
    for word in unseen:
        expected = ft.get_word_vector(jamo.to_jamo(word))
        for space in spaces.values():
            assert space.unit.jamo and space.pos
            assert np.abs(space.token_vector(word) - expected).max() <= 1e-5
    # The torch-only loader takes Hangul itself (it carries a copy of the jamo rule).
    from morphvec import fasttext_torch

    assert fasttext_torch._TO_JAMO == jamo._TO_JAMO
    loader = fasttext_torch.FastTextEmbedding.load(layout.run_file("torch_weights", run_dir))
    assert loader.jamo and loader.token_ids(["영화/NNG"]).item() == ft.get_word_id(jamo.to_jamo("영화/NNG")) >= 0
    both = loader.word_vectors(["졸잼", jamo.to_jamo("졸잼"), "영화/NNG"]).numpy()
    assert np.array_equal(both[0], both[1])
    assert np.abs(both[0] - ft.get_word_vector(jamo.to_jamo("졸잼"))).max() <= 1e-5
    # A bare word means its most frequent tagged form; answers come back in syllables.
    torch_space = spaces["torch"]
    assert torch_space.index_to_key[torch_space.lookup("영화")] == "영화/NNG"
    found = torch_space.neighbours("영화", topn=5)
    assert all(not jamo.is_jamo_vocabulary([word]) for word, _ in found)
    assert all(word.rpartition("/")[2].isupper() for word, _ in found)


def test_the_jamo_run_passes_parity_with_unknown_words(workflow_run):
    metrics = json.loads((workflow_run / "results/ko_kiwi_jamo/report/metrics.json").read_text(encoding="utf-8"))
    assert metrics["parity"]["passed"] and metrics["parity"]["fasttext_vs_torch"]["oov_max_abs_diff"] <= 1e-5
    assert metrics["corpus"]["tokenizer"] == "kiwi" and metrics["corpus"]["unit"] == "jamo"
    assert "spearman_all_pairs_eojeol" in metrics["quality"]["similarity"]["ws353_ko"]
    page = (workflow_run / "results/ko_kiwi_jamo/report/report.html").read_text(encoding="utf-8")
    assert "드라마/NNG" in page or "/NNG" in page
    assert not any(0x1100 <= ord(ch) <= 0x11FF for ch in page)  # Hangul on the page, never jamo


def test_an_eojeol_is_the_mean_unit_vector_of_its_morphemes(tiny_pipeline):
    space = open_space(tiny_pipeline["torch_dir"], tokenizer="mecab")
    assert space.morphemes("영화를") == ["영화", "를"]
    parts = [space.token_vector(m) for m in ("영화", "를")]
    expected = np.mean([v / np.linalg.norm(v) for v in parts], axis=0)
    assert np.allclose(space.get_vector("영화를"), expected, atol=1e-6)
    assert np.array_equal(space.get_vector("영화"), space.token_vector("영화"))  # a token stays itself
    plain = Space(space.kv)  # without a tokenizer, an unknown eojeol gets its n-gram vector
    assert np.array_equal(plain.get_vector("영화를"), space.token_vector("영화를"))
    assert not np.allclose(plain.get_vector("영화를"), expected)


def test_the_mecab_report_scores_the_eojeol_protocol(tiny_pipeline):
    metrics = json.loads(tiny_pipeline["metrics"].read_text(encoding="utf-8"))
    assert metrics["quality"]["similarity"]["ws353_ko"]["spearman_all_pairs_eojeol"] is not None
    eojeol = metrics["quality"]["analogy_eojeol"]["extra_ko"]
    assert eojeol["scored"] == eojeol["questions"] == 750
    subword = metrics["quality"]["analogy_subword"]["extra_ko"]
    assert "verb-past-eojeol" not in subword["sections"]  # an eojeol answer is never a token
    assert metrics["neighbours_in_out"]["영화"] and metrics["neighbours_content"]["영화"]


@pytest.mark.parametrize("bad", [{"unit": "letters"}, {"name": "whitespace", "pos": True}])
def test_bad_korean_options_are_named(tmp_path, bad):
    from morphvec.runtime import UserInputError

    corpus = tmp_path / "c.txt"
    corpus.write_text("좋은 영화\n", encoding="utf-8")
    with pytest.raises(UserInputError):
        tokenize_corpus(corpus, tmp_path / "t.txt", **bad)


def test_kiwi_on_its_own_threads_writes_what_worker_processes_write(tmp_path):
    """The tokenize step runs Kiwi's batch API on its own threads (one model in memory); the
    output must be the one of separate worker processes, byte for byte."""
    import dataclasses

    from morphvec import tokenizers
    from morphvec.tokenize import tokenize_corpus

    corpus = tmp_path / "c.txt"
    corpus.write_text(
        "\n".join([SEED_SENTENCE, "영화가 정말 재밌었어요 ㅋㅋ", "건넨 굵직한 연기", "먹었엌ㅋㅋ 별로"] * 30) + "\n"
    )
    assert tokenizers.TOKENIZERS["kiwi"].own_threads
    tokenize_corpus(corpus, tmp_path / "threads.txt", format="txt", name="kiwi", threads=2, pos=True)
    processes = dataclasses.replace(tokenizers.TOKENIZERS["kiwi"], own_threads=False)
    original = tokenizers.TOKENIZERS["kiwi"]
    tokenizers.TOKENIZERS["kiwi"] = processes
    try:
        tokenize_corpus(corpus, tmp_path / "processes.txt", format="txt", name="kiwi", threads=2, pos=True)
    finally:
        tokenizers.TOKENIZERS["kiwi"] = original
    assert (tmp_path / "threads.txt").read_bytes() == (tmp_path / "processes.txt").read_bytes()


def test_words_cut_ahead_of_time_in_their_own_process_are_the_tokenizers_cuts():
    from morphvec.tokenize import CutWords

    cut = CutWords(["영화가", "재밌었다", "영화가"], "kiwi", pos=False, unit="syllable", lowercase=False)
    tokenizer = Tokenizer("kiwi")
    assert cut("영화가") == tokenizer("영화가") and cut("재밌었다") == tokenizer("재밌었다")
    assert cut.content_tags == tokenizer.content_tags
    with pytest.raises(RuntimeError, match="not cut ahead of time"):
        cut("배우")
