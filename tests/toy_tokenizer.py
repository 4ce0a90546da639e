"""A tokenizer that only the tests know (tests/test_tokenizers.py registers it): every Hangul
syllable is a token, tagged NNG, anything else split at spaces and tagged SF."""


class SyllableTokenizer:
    def __call__(self, text: str) -> list[tuple[str, str]]:
        pairs = []
        for word in text.split():
            if all("가" <= ch <= "힣" for ch in word):
                pairs += [(ch, "NNG") for ch in word]
            else:
                pairs.append((word, "SF"))
        return pairs
