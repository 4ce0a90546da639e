"""Korean options: jamo units, the Kiwi analyser, POS tokens, dominant tags, eojeol queries."""

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO, SEED_SENTENCE, sample_rows

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
    from morphvec.evaluation import read_analogy_questions

    metrics = json.loads(tiny_pipeline["metrics"].read_text(encoding="utf-8"))
    assert metrics["quality"]["similarity"]["ws353_ko"]["spearman_all_pairs_eojeol"] is not None
    eojeol = metrics["quality"]["analogy_eojeol"]["extra_ko"]
    # Answers are sought among the tokens and the corpus' eojeol seen 5 times or more, whatever the test
    # asks: a question whose answer is neither is not scored.
    vocabulary = set(tiny_pipeline["torch_vocab"].read_text(encoding="utf-8").splitlines())
    corpus_eojeol = {word for word, n in read_token_counts(tiny_pipeline["eojeol_counts"]) if n >= 5}
    assert metrics["quality"]["eojeol_candidates"] == {
        "min_count": 5,
        "corpus_eojeol": len(corpus_eojeol),
        "not_tokens": len(corpus_eojeol - vocabulary),
    }
    assert eojeol["eojeol_candidates"] == len(corpus_eojeol - vocabulary) > 0
    questions = read_analogy_questions(REPO / "resources/eval/analogy_extra_ko.txt")
    answerable = [d for _, (*_, d) in questions if d in vocabulary or d in corpus_eojeol]
    assert eojeol["questions"] == 750 and eojeol["scored"] == len(answerable) < 750
    assert 0 < eojeol["sections"]["noun-object-eojeol"]["scored"] < 132  # the eojeol sections too
    assert 0 <= eojeol["distance"] <= 2 and eojeol["distance_questions"] == 750
    subword = metrics["quality"]["analogy_subword"]["extra_ko"]
    assert subword["sections"]["verb-past-eojeol"]["scored"] == 0  # an eojeol answer is never a token
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


def test_park_syllable_and_jamo_subwords_train_open_and_agree(tmp_path, tiny_pipeline):
    """subwords: syllable_jamo (Park et al.): gensim trains with the scheme's n-grams, every reader
    computes the same ones, and gensim <-> torch parity holds for unknown words too."""
    import random

    from conftest import TINY_FASTTEXT

    from morphvec import fasttext_torch, formats, ngrams
    from morphvec.export import export_torch
    from morphvec.parity import check_parity
    from morphvec.training import train_fasttext
    from morphvec.vectors import extract_vectors, load_gensim

    files = {name: tmp_path / Path(layout.FILES[name]).name for name in layout.FILES if "{" not in layout.FILES[name]}
    settings = {**TINY_FASTTEXT, "minn": 1, "maxn": 4}
    stats = train_fasttext(
        tiny_pipeline["tokens"], files["model_bin"], files["model_vec"], subwords="syllable_jamo",
        trainer="gensim", fasttext=settings,
    )  # fmt: skip
    assert stats["subwords"] == "syllable_jamo"
    load_gensim(files["model_bin"], files["gensim_model"], files["gensim_kv"], subwords="syllable_jamo")
    names = ("vocab", "word_vectors", "ngram_vectors", "ngram_settings", "w2v_txt", "w2v_bin", "output_vectors")
    extract_vectors(files["gensim_model"], *(files[name] for name in names))
    export_torch(*(files[n] for n in ("word_vectors", "ngram_vectors", "vocab", "ngram_settings")),
                 tmp_path / "torch" / "embeddings.safetensors", tmp_path / "torch" / "vocab.txt")  # fmt: skip
    wv = formats.open_fasttext_vectors(
        *(files[n] for n in ("word_vectors", "ngram_vectors", "vocab", "ngram_settings"))
    )
    word = "영화"
    jamo_grams = [g for g in ngrams.word_ngrams(word, 1, 4, "syllable_jamo") if g not in ngrams.char_ngrams(word, 1, 4)]
    assert jamo_grams and all(3 <= len(g) <= 5 and any(map(ngrams.is_jamo, g)) for g in jamo_grams)
    embedding = fasttext_torch.FastTextEmbedding.load(tmp_path / "torch")
    assert embedding.subwords == "syllable_jamo"
    assert embedding.ngram_ids("없는말이다") == list(
        ngrams.ngram_buckets("없는말이다", 1, 4, settings["bucket"], "syllable_jamo")
    )
    parity = check_parity(None, wv, lambda: embedding, tiny_pipeline["tokens"], 200, 1e-5, 0)
    assert parity["passed"] and "fasttext_vs_torch" not in parity
    assert parity["gensim_vs_torch"]["oov_max_abs_diff"] <= 1e-5 and parity["samples"]["oov"] == 200
    assert any("not applicable" in note for note in parity["notes"])
    # the .vec has gensim's vectors, not those fastText would compute from the .bin
    first = files["model_vec"].read_text(encoding="utf-8").splitlines()[2].split()
    assert np.allclose([float(x) for x in first[1:]], wv.get_vector(first[0]), atol=1e-4)
    # unknown words: the scheme's jamo n-grams change the vector; gensim's pickle reopens with them
    reopened = formats.open_gensim(files["gensim_kv"], trust_pickle=True)
    expected = ngrams.ngram_buckets(word, 1, 4, settings["bucket"], "syllable_jamo")
    assert list(reopened.buckets_word[reopened.key_to_index[word]]) == expected  # what gensim trained
    unseen = random.Random(0).sample(wv.index_to_key[5:], 3)
    for probe in ["없는말이다", *(w + "였다" for w in unseen)]:
        assert np.allclose(reopened.get_vector(probe), embedding.word_vectors([probe])[0].numpy(), atol=1e-5)
    space = open_space(tmp_path / "torch")
    assert space.neighbours("영화", topn=3)


def test_the_park_run_goes_through_the_workflow_with_gensim_torch_parity(workflow_run):
    run_dir = workflow_run / "results/ko_park"
    metrics = json.loads((run_dir / "report/metrics.json").read_text(encoding="utf-8"))
    parity = metrics["parity"]
    assert parity["passed"] and "fasttext_vs_gensim" not in parity and parity["samples"]["oov"] == 200
    assert parity["gensim_vs_torch"]["oov_max_abs_diff"] <= 1e-5 and "gensim_vs_static" in parity
    assert metrics["training"]["subwords"] == "syllable_jamo"
    settings = json.loads((run_dir / "extract_vectors/ngram_settings.json").read_text(encoding="utf-8"))
    assert settings["subwords"] == "syllable_jamo" and (settings["min_n"], settings["max_n"]) == (1, 4)
    page = (run_dir / "report/report.html").read_text(encoding="utf-8")
    assert "<td>n/a</td>" in page and "not applicable" in page
    card = (run_dir / "package/README.md").read_text(encoding="utf-8")
    assert "jamo n-grams of 3–5 jamo" in card and "known words only" in card


def test_park_subwords_need_the_gensim_trainer_and_syllables():
    from morphvec.schema import run_problems

    assert run_problems({"subwords": "syllable_jamo"})[0].fix == "set trainer: gensim"
    problems = run_problems({"subwords": "syllable_jamo", "trainer": "gensim", "tokenizer": {"unit": "jamo"}})
    assert problems[0].key == "subwords" and "syllable" in problems[0].fix
    assert run_problems({"subwords": "syllable_jamo", "trainer": "gensim"}) == []
