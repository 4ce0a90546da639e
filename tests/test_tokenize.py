import functools
import gzip
import json
import unicodedata

import pytest
from conftest import SEED_MORPHEMES, SEED_SENTENCE, sample_texts
from mecab import MeCab

from morphvec.corpus import iter_records
from morphvec.runtime import UserInputError, run_cli
from morphvec.tokenize import clean_text, split_long_text, tokenize_batch, tokenize_corpus
from morphvec.tokenizers.mecab import MecabTokenizer


def iter_documents(path, **options):
    return [text for text, _ in iter_records(path, **options)]


def main(argv):
    return run_cli(tokenize_corpus, argv)


@functools.cache
def tagger():
    return MecabTokenizer()


@pytest.fixture(scope="module")
def mecab():
    """MeCab's morphemes (forms only) of a text."""
    return lambda text: [form for form, _ in tagger()(text)]


def tokens_of(text, mecab, max_chars=5000):
    block, counters, _, _, _ = tokenize_batch([(text, None)], tagger(), max_chars, with_labels=False)
    return block.split(), counters


def test_seed_sentence_splits_into_morphemes(mecab):
    assert mecab(SEED_SENTENCE) == SEED_MORPHEMES


def test_fast_path_matches_morphs_on_real_reviews(mecab):
    reference = MeCab()
    for text in [*sample_texts(500), "EOS 는 끝", "", "ㅋ", "A\tB"]:
        assert mecab(text) == reference.morphs(text), text


def test_text_after_nul_byte_is_kept(mecab):
    tokens, counters = tokens_of("가나\x00다라 영화", mecab)
    assert "영화" in tokens and "다라" in "".join(tokens)
    assert counters["nul_bytes_replaced"] == 1


def test_lone_surrogate_is_removed_not_a_crash(mecab):
    tokens, counters = tokens_of("좋은\ud800영화", mecab)
    assert tokens == mecab("좋은영화")
    assert counters["surrogates_removed"] == 1


def test_bom_and_zero_width_characters_are_not_tokens(mecab):
    tokens, counters = tokens_of("\ufeff영화\u200b좋다\u200d", mecab)
    assert tokens == mecab("영화좋다")
    assert counters["invisible_chars_removed"] == 3


def test_decomposed_hangul_is_normalised_to_nfc(mecab):
    nfd = unicodedata.normalize("NFD", SEED_SENTENCE)
    tokens, counters = tokens_of(nfd, mecab)
    assert tokens == SEED_MORPHEMES
    assert counters["nfc_normalised_documents"] == 1


def test_whitespace_is_collapsed(mecab):
    tokens, _ = tokens_of("  영화 \t\u3000 좋다  ", mecab)
    assert tokens == ["영화", "좋", "다"]


def test_long_line_without_spaces_is_cut_into_bounded_pieces(mecab):
    pieces = split_long_text("ㅋ" * 20_000, 1000)
    assert len(pieces) == 20 and all(len(p) == 1000 for p in pieces)
    tokens, counters = tokens_of("ㅋ" * 20_000, mecab, max_chars=1000)
    assert "".join(tokens) == "ㅋ" * 20_000
    assert counters["long_documents_split"] == 1


def test_cutting_at_spaces_does_not_change_the_morphemes(mecab):
    text = " ".join(sample_texts(300))
    pieces = split_long_text(text, 500)
    assert all(len(p) <= 500 for p in pieces)
    assert " ".join(pieces) == text
    assert [t for p in pieces for t in mecab(p)] == mecab(text)


def test_clean_text_counts_nothing_on_clean_text():
    counters = {}
    import collections

    counters = collections.Counter()
    assert clean_text("평범한 리뷰 입니다", counters) == "평범한 리뷰 입니다"
    assert sum(counters.values()) == 0


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize(
    ("name", "content", "field"),
    [
        ("c.txt", "첫 문서\n두 번째, 문서\n", "text"),
        ("c.tsv", "id\ttext\n1\t첫 문서\n2\t두 번째, 문서\n", "text"),
        ("c.csv", 'id,body\n1,첫 문서\n2,"두 번째, 문서"\n', "body"),
        ("c.jsonl", '{"t": "첫 문서"}\n{"t": "두 번째, 문서"}\n', "t"),
    ],
)
def test_every_format_reads_the_same_documents(tmp_path, name, content, field, compress):
    path = tmp_path / (name + (".gz" if compress else ""))
    data = ("\ufeff" + content).encode("utf-8")
    path.write_bytes(gzip.compress(data) if compress else data)
    assert list(iter_documents(path, text_column=field)) == ["첫 문서", "두 번째, 문서"]


def test_invalid_utf8_names_file_and_line_and_leaves_no_output(tmp_path):
    corpus = tmp_path / "bad.txt"
    corpus.write_bytes("좋다\n괜찮다\n".encode() + "나쁘다".encode("cp949") + b"\n")
    out = tmp_path / "out" / "tokens.txt"
    with pytest.raises(UserInputError, match=r"bad\.txt: line 3: invalid UTF-8"):
        tokenize_corpus(corpus, out, name="whitespace")
    assert not out.exists()
    assert list(out.parent.iterdir()) == []  # no temporary file left behind either


def test_invalid_utf8_can_be_replaced_and_counted(tmp_path):
    corpus = tmp_path / "bad.txt"
    corpus.write_bytes("좋다\n".encode() + b"\xff\xfe ok\n")
    stats = tokenize_corpus(corpus, tmp_path / "t.txt", name="whitespace", invalid_utf8="replace")
    assert stats["cleaning"]["invalid_utf8_lines_replaced"] == 1
    assert stats["documents_written"] == 2


def test_missing_column_lists_the_header(tmp_path):
    corpus = tmp_path / "c.tsv"
    corpus.write_text("id\tbody\n1\t좋다\n", encoding="utf-8")
    with pytest.raises(UserInputError, match=r"c\.tsv: line 1: no column named 'text'.*\['id', 'body'\]"):
        tokenize_corpus(corpus, tmp_path / "t.txt")


def test_short_tsv_row_names_the_line(tmp_path):
    corpus = tmp_path / "c.tsv"
    corpus.write_text("id\tx\ttext\n1\ta\t좋다\n2\tb\n", encoding="utf-8")
    with pytest.raises(UserInputError, match="line 3"):
        tokenize_corpus(corpus, tmp_path / "t.txt")


def test_bad_json_names_the_line(tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"text": "좋다"}\n{"text": \n', encoding="utf-8")
    with pytest.raises(UserInputError, match="line 2: not valid JSON"):
        tokenize_corpus(corpus, tmp_path / "t.txt")


def test_stats_count_documents_tokens_types_and_dropped(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("영화 좋다\n\n   \n\u200b\n영화 별로\n", encoding="utf-8")
    out, stats_path = tmp_path / "t.txt", tmp_path / "s.json"
    stats = tokenize_corpus(corpus, out, stats_path)
    assert out.read_text(encoding="utf-8") == "영화 좋 다\n영화 별로\n"
    assert (stats["documents"], stats["documents_written"], stats["dropped_empty"]) == (5, 2, 3)
    assert (stats["tokens"], stats["types"]) == (5, 4)
    assert json.loads(stats_path.read_text(encoding="utf-8")) == stats


def test_whitespace_tokenizer_lowercases_eojeol(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("The Movie 정말 좋았다\n", encoding="utf-8")
    tokenize_corpus(corpus, tmp_path / "t.txt", name="whitespace", lowercase=True)
    assert (tmp_path / "t.txt").read_text(encoding="utf-8") == "the movie 정말 좋았다\n"


def test_two_workers_write_the_same_bytes_as_one(tmp_path, tiny_corpus):
    one, two = tmp_path / "one.txt", tmp_path / "two.txt"
    tokenize_corpus(tiny_corpus, one, threads=1)
    stats = tokenize_corpus(tiny_corpus, two, threads=2)
    assert one.read_bytes() == two.read_bytes()
    assert stats["documents"] == 3000


def test_cli_reports_bad_input_without_traceback(tmp_path, capsys):
    code = main(["--corpus", str(tmp_path / "missing.tsv"), "--tokens", str(tmp_path / "t.txt")])
    err = capsys.readouterr().err
    assert code == 2
    assert "corpus file not found" in err and "missing.tsv" in err
    assert "Traceback" not in err


def test_shards_gathered_in_order_equal_one_piece(tmp_path, tiny_corpus):
    from morphvec.corpus import count_documents
    from morphvec.tokenize import gather_tokens

    whole = tokenize_corpus(
        tiny_corpus, tmp_path / "whole.txt", token_counts=tmp_path / "whole.counts.tsv",
        eojeol_counts=tmp_path / "whole.eojeols.tsv",
    )  # fmt: skip
    assert count_documents(tiny_corpus, tmp_path / "documents.json")["documents"] == 3000
    parts = []
    for shard in range(3):
        prefix = tmp_path / f"shard{shard}"
        tokenize_corpus(
            tiny_corpus,
            f"{prefix}.txt",
            f"{prefix}.stats.json",
            token_counts=f"{prefix}.counts.tsv",
            labels=f"{prefix}.labels.txt",
            documents=tmp_path / "documents.json",
            eojeol_counts=f"{prefix}.eojeols.tsv",
            shard=shard,
            shards=3,
        )
        parts.append(prefix)
    merged = gather_tokens(
        [f"{p}.txt" for p in parts],
        [f"{p}.stats.json" for p in parts],
        [f"{p}.counts.tsv" for p in parts],
        [f"{p}.labels.txt" for p in parts],
        [f"{p}.eojeols.tsv" for p in parts],
        tmp_path / "tokens.txt",
        tmp_path / "stats.json",
        tmp_path / "token_counts.tsv",
        tmp_path / "labels.txt",
        tmp_path / "eojeol_counts.tsv",
    )
    assert (tmp_path / "tokens.txt").read_bytes() == (tmp_path / "whole.txt").read_bytes()
    assert (tmp_path / "eojeol_counts.tsv").read_bytes() == (tmp_path / "whole.eojeols.tsv").read_bytes()
    assert (tmp_path / "token_counts.tsv").read_bytes() == (tmp_path / "whole.counts.tsv").read_bytes()
    for key in ("documents", "documents_written", "tokens", "types", "dropped_empty"):
        assert merged[key] == whole[key], key
    assert merged["shards"] == 3


def test_shards_count_replaced_lines_once(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_bytes(b"".join(b"ok\n" if i % 2 else b"bad \xff\n" for i in range(10)))
    total = 0
    (tmp_path / "documents.json").write_text('{"documents": 10}', encoding="utf-8")
    for shard in range(3):
        stats = tokenize_corpus(
            corpus, tmp_path / f"{shard}.txt", name="whitespace", invalid_utf8="replace",
            shard=shard, shards=3, documents=tmp_path / "documents.json",
        )  # fmt: skip
        total += stats["cleaning"]["invalid_utf8_lines_replaced"]
        assert stats["documents"] == [3, 3, 4][shard]
    assert total == 5


def test_labels_follow_the_kept_documents(tmp_path):
    corpus = tmp_path / "c.tsv"
    corpus.write_text("id\ttext\trating\n1\t좋다\t10\n2\t\u200b\t1\n3\t별로\t2\n", encoding="utf-8")
    stats = tokenize_corpus(corpus, tmp_path / "t.txt", name="whitespace", label_column="rating",
                            labels=tmp_path / "labels.txt")  # fmt: skip
    assert (tmp_path / "t.txt").read_text(encoding="utf-8") == "좋다\n별로\n"
    assert (tmp_path / "labels.txt").read_text(encoding="utf-8") == "10\n2\n"  # the empty review is dropped
    assert stats["dropped_empty"] == 1
    tokenize_corpus(corpus, tmp_path / "t2.txt", name="whitespace", labels=tmp_path / "none.txt")
    assert (tmp_path / "none.txt").read_text() == ""
    with pytest.raises(UserInputError, match="no column named 'stars'"):
        tokenize_corpus(corpus, tmp_path / "t3.txt", label_column="stars", labels=tmp_path / "l.txt")


def test_csv_fields_may_span_lines_and_errors_name_the_physical_line(tmp_path):
    corpus = tmp_path / "c.csv"
    corpus.write_text('id,text\n1,"첫 줄\n둘째 줄"\n2,마지막\n3\n', encoding="utf-8")
    with pytest.raises(UserInputError, match=r"c\.csv: line 5: 1 fields"):
        list(iter_documents(corpus))
    corpus.write_text('id,text\n1,"첫 줄\n둘째 줄"\n2,마지막\n', encoding="utf-8")
    assert list(iter_documents(corpus)) == ["첫 줄\n둘째 줄", "마지막"]
    stats = tokenize_corpus(corpus, tmp_path / "t.txt", name="whitespace")
    assert (tmp_path / "t.txt").read_text(encoding="utf-8") == "첫 줄 둘째 줄\n마지막\n"
    assert stats["documents"] == 2


def test_the_corpus_eojeol_are_counted_as_written(tmp_path):
    """The eojeol counts are the whitespace tokens of the cleaned text (NFC, invisible characters
    gone), not the morphemes, most frequent first: the eojeol analogy protocol's candidates."""
    from morphvec.corpus import read_token_counts

    corpus = tmp_path / "c.txt"
    corpus.write_text("영화를 봤다\n영화를 또 봤다\n\u1112\u1161\u11ab 영화를\n", encoding="utf-8")  # 한 in jamo
    tokenize_corpus(corpus, tmp_path / "t.txt", name="whitespace", eojeol_counts=tmp_path / "e.tsv")
    assert read_token_counts(tmp_path / "e.tsv") == [("영화를", 3), ("봤다", 2), ("또", 1), ("한", 1)]


def test_a_counts_file_that_is_not_utf8_is_one_clear_error(tmp_path):
    from morphvec.corpus import read_token_counts
    from morphvec.runtime import UserInputError

    counts = tmp_path / "eojeol_counts.tsv"
    counts.write_bytes("영화\t3\t\n".encode("cp949"))
    with pytest.raises(UserInputError, match="line 1: invalid UTF-8"):
        read_token_counts(counts)
