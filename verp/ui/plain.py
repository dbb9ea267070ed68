"""Showing text people typed as text: Markdown in labels would otherwise be interpreted."""

from __future__ import annotations

import string

_PUNCTUATION = set(string.punctuation)


def md_escape(text: str) -> str:
    """Backslash-escape every ASCII punctuation mark (CommonMark's rule), so typed text stays text.

    For the few places that only take Markdown, such as expander labels; elsewhere use ``st.text``.
    """
    flat = " ".join(str(text).split())
    return "".join(f"\\{ch}" if ch in _PUNCTUATION else ch for ch in flat)
