"""Accessibility: the app's accessibility statement, the same text as docs/accessibility.md."""

import streamlit as st

from verp.ui.style import ACCESSIBILITY_STATEMENT

st.markdown(ACCESSIBILITY_STATEMENT.read_text(encoding="utf-8"))  # the project's own text, not a user's
