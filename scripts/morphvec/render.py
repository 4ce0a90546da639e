"""HTML through jinja2 templates (autoescaped) that compute nothing: they lay out view data.

The pages are self-contained: figures are embedded as data URIs, and so is the part of the
NanumGothic font (SIL OFL, bundled by koreanize-matplotlib) that the page uses, subset with
fontTools to the page's own characters, so Korean renders without a Korean system font.
"""

import base64
import functools
import io
import logging
import math
from pathlib import Path

TEMPLATES = Path(__file__).with_name("templates")


def number(value, digits: int = 3) -> str:
    """A number for people: thousands separators for integers, ``digits`` significant decimals."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isinf(value) or math.isnan(value):
            return str(value)
        if value != 0 and abs(value) < 10**-digits:
            return f"{value:.1e}"
        return f"{value:,.{digits}f}"
    return str(value)


def percent(value, digits: int = 1) -> str:
    return "–" if value is None else f"{100 * value:.{digits}f}%"


def points(value) -> str:
    """A correlation as sentence-similarity tables give it: ρ x 100, one decimal."""
    return "–" if value is None else f"{100 * value:.1f}"


def scientific(value) -> str:
    return "–" if value is None else f"{value:.1e}"


def token(word: str):
    """A token in a list of words: punctuation and other tokens without a letter or digit in code
    style and quoted, so that ',' and '.' read as tokens and not as the list's own commas."""
    from markupsafe import Markup, escape

    return word if any(ch.isalnum() for ch in word) else Markup(f"<code>'{escape(word)}'</code>")


def score(value: float) -> str:
    """A cosine to two decimals, without a sign on zero ('-0.00' reads as a negative score)."""
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


@functools.cache
def _environment():
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=lambda name: not (name or "").endswith(".md.j2"),  # HTML escaped; Markdown as written
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        number=number, percent=percent, points=points, scientific=scientific, token=token, score=score
    )
    return environment


def png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _font_path() -> Path | None:
    try:
        import koreanize_matplotlib
    except ImportError:
        return None
    path = Path(koreanize_matplotlib.__file__).parent / "fonts" / "NanumGothic.ttf"
    return path if path.is_file() else None


def font_face(text: str) -> str:
    """A CSS ``@font-face`` with NanumGothic subset to the characters of ``text`` ('' without it)."""
    from fontTools import subset

    # fontTools lists every glyph it keeps (INFO) and the hinting tables it drops (WARNING), 80
    # lines per page in the step's log, none of them actionable.
    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)
    path = _font_path()
    if path is None:
        return ""
    options = subset.Options()
    options.name_IDs = ["*"]  # keep the licence and names
    font = subset.load_font(str(path), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text))))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"@font-face{{font-family:'NanumGothic morphvec';src:url(data:font/ttf;base64,{data}) format('truetype');}}"


def render_text(template: str, **view) -> str:
    """Render a Markdown template (the model card): no escaping, no font."""
    return _environment().get_template(template).render(**view)


def render(template: str, **view) -> str:
    """Render ``template`` with ``view``; then embed the font subset the page needs."""
    marker = "/*morphvec-font-face*/"
    page = _environment().get_template(template).render(font_face=marker, **view)
    return page.replace(marker, font_face(page.replace(marker, "")), 1)
