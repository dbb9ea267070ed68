"""A section draws its contents only while open, and stays open when its label changes."""

from streamlit.testing.v1 import AppTest

from tests.support.apptest import open_section

PAGE = """
import streamlit as st
from verp.ui.sections import section

shared = st.session_state.get("shared", 0)
with section(f"Circle time · shared with {shared}", key="moment_1") as shown:
    if shown:
        st.text("the moment's form")
        if st.button("Share", key="share"):
            st.session_state["shared"] = shared + 1
            st.rerun()
"""


def drawn(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


def test_a_section_draws_its_contents_only_while_open_and_stays_open_when_its_label_changes():
    at = AppTest.from_string(PAGE, default_timeout=30).run()
    assert drawn(at) == [] and [e.label for e in at.expander] == ["Circle time · shared with 0"]
    open_section(at, "moment_1")
    assert drawn(at) == ["the moment's form"]
    at.button(key="share").click().run()
    assert [e.label for e in at.expander] == ["Circle time · shared with 1"]
    assert drawn(at) == ["the moment's form"] and at.expander[0].proto.expanded
    at.session_state["moment_1"] = False
    at.run()
    assert drawn(at) == []
    at.run()
    assert drawn(at) == []
