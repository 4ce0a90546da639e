"""Whitespace-separated words (eojeol for Korean; English corpora): ``tokenizer.name: whitespace``."""


class WhitespaceTokenizer:
    """Whitespace-separated words; no tags (``tokenizer.lowercase`` is applied by the registry)."""

    def __call__(self, text: str) -> list[tuple[str, None]]:
        return [(word, None) for word in text.split()]
