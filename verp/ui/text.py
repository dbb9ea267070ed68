"""Showing what people typed inside Markdown-rendering elements, as plain text.

``st.subheader``, ``st.error``, ``st.success``, expander labels and friends render Markdown: a clip called
``![x](http://tracker)`` would load a remote image on the projector, ``[click](http://…)`` would become a
link. Where an element must carry a person's words, escape them first (or use ``st.text``).
"""

from __future__ import annotations

import re
import string

from verp.core.text import WORD_JOINER

_PUNCTUATION = set(string.punctuation)

# The browser's Markdown reads the escapes first, then turns some plain text into something else by
# itself: a bare ``https://…``, ``www.…`` or e-mail address into a link (GFM), ``:material_x:`` into an
# icon and ``:streamlit:`` into a picture (and ``->`` into an arrow). An invisible word joiner after a
# colon before a letter or a slash, after an at sign, between ``www`` and its dot, and inside ``->``,
# ``<-``, ``--``, ``>=``, ``<=``, ``~=`` breaks those patterns; nothing is seen of it.
_SELF_MADE = re.compile(
    r"(?<=:)(?=[A-Za-z/])|(?<=@)|(?<=www)(?=\.)"  # links, icons, the logo
    r"|(?<=-)(?=[->])|(?<=<)(?=-)|(?<=[<>~])(?==)",  # ->, <-, --, >=, <=, ~= (made arrows and dashes)
    re.IGNORECASE,
)


def escape_markdown(words: str) -> str:
    """``words`` on one line with every ASCII punctuation mark backslash-escaped (CommonMark's rule, which
    also covers Streamlit's ``:colour[...]`` and ``$maths$`` directives) and the bare links and codes the
    browser would make by itself broken by a word joiner, so typed text stays text."""
    flat = _SELF_MADE.sub(WORD_JOINER, " ".join(str(words).split()))
    return "".join(f"\\{ch}" if ch in _PUNCTUATION else ch for ch in flat)
