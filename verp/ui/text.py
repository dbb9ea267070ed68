"""Showing what people typed inside Markdown-rendering elements, as plain text.

``st.subheader``, ``st.error``, ``st.success`` and friends render Markdown: a clip called
``![x](http://tracker)`` would load a remote image on the projector, ``[click](http://…)`` would become a
link. Where an element must carry a person's words, escape them first (or use ``st.text``).
"""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^])")


def escape_markdown(words: str) -> str:
    """``words`` with every Markdown (and Streamlit directive) character backslash-escaped."""
    return _SPECIAL.sub(r"\\\1", words).replace("\n", " ")
