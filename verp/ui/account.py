"""My account: sign out on every browser, or delete it and everything in it (after seeing what goes and
typing my name)."""

from __future__ import annotations

import streamlit as st

from verp.core.accounts import PersonView
from verp.core.store import Store
from verp.records import erasure
from verp.ui.sections import section
from verp.ui.session import forget
from verp.ui.text import escape_markdown

DELETED = "account_deleted"


def show_account_deleted() -> None:
    """After the account went, say so once, in place of the page."""
    if st.session_state.pop(DELETED, None):
        st.success("Your account and everything in it have been deleted for good. You are signed out.")
        st.stop()


def show_my_account(store: Store, person: PersonView) -> None:
    st.header("My account", anchor=False)
    if st.button(
        "Sign out everywhere",
        icon=":material/devices:",
        key="sign_out_everywhere",
        help="Signs you out on every browser and device, this one too (a laptop left signed in at school).",
    ):
        forget(everywhere=True)
        st.rerun()
    with section("Delete my account…", key="delete_account_open", icon=":material/delete_forever:") as shown:
        if shown:
            _delete_form(store, person)


def _delete_form(store: Store, person: PersonView) -> None:
    """What goes (counted as it is opened), then the name typed to confirm."""
    goes = erasure.what_goes(store, person.id)
    st.markdown("Deleting your account removes, for good and at once:")
    for line in goes.lines() or ["your account (it holds nothing else yet)"]:
        st.markdown(f"- {escape_markdown(line)}")
    st.caption(
        "Reflections you sent in colleagues' workshops stay in those workshops' records, without a "
        "link to you. The audit log keeps one line saying an account was deleted, by its number only."
    )
    typed = st.text_input("Type your name to confirm", key="confirm_account_name", max_chars=80)
    if st.button("Delete my account and everything in it", type="primary", key="delete_account"):
        try:
            erasure.delete_account(store, person.id, typed)
        except erasure.ErasureError as exc:
            st.error(escape_markdown(str(exc)))
            return
        forget()
        st.session_state[DELETED] = True
        st.rerun()
