"""Showing what people typed inside Markdown-rendering elements, as plain text.

``st.subheader``, ``st.error``, ``st.success``, expander labels and friends render Markdown: a clip called
``![x](http://tracker)`` would load a remote image on the projector, ``[click](http://…)`` would become a
link. Where an element must carry a person's words, escape them first (or use ``st.text``).
"""

from __future__ import annotations

import string

_PUNCTUATION = set(string.punctuation)


def escape_markdown(words: str) -> str:
    """``words`` on one line with every ASCII punctuation mark backslash-escaped (CommonMark's rule, which
    also covers Streamlit's ``:colour[...]`` and ``$maths$`` directives), so typed text stays text."""
    flat = " ".join(str(words).split())
    return "".join(f"\\{ch}" if ch in _PUNCTUATION else ch for ch in flat)
