"""Sign in: a display name and a personal passphrase, or the deployment's own login."""

import streamlit as st

from verp.core import accounts
from verp.core.errors import VerpError
from verp.ui.session import client_address, current_person, get_store, oidc_configured, remember

if current_person() is not None:
    st.switch_page("pages/my_clips.py")

st.title("Sign in")
store = get_store()

if oidc_configured():
    if getattr(st.user, "is_logged_in", False):
        user = st.user
        person = accounts.sign_in_oidc(
            store, str(user.get("sub")), user.get("name"), user.get("email"), user.get("email_verified")
        )
        remember(person)
        st.rerun()
    st.button("Sign in with your organisation", type="primary", on_click=st.login)
    st.stop()

have_account, new_account = st.tabs(["I have an account", "I am new here"])
with have_account, st.form("sign_in"):
    name = st.text_input("Your name", max_chars=80, key="signin_name")
    passphrase = st.text_input("Your passphrase", type="password", key="signin_pass")
    if st.form_submit_button("Sign in", type="primary", key="signin_submit"):
        try:
            remember(accounts.sign_in(store, name, passphrase, client=client_address()))
        except VerpError as exc:
            st.error(str(exc))
        else:
            st.rerun()

with new_account, st.form("create_account"):
    st.caption("Your passphrase keeps your clips yours, even on a shared school laptop.")
    new_name = st.text_input("Your name", max_chars=80, key="new_name")
    new_passphrase = st.text_input(
        "Choose a passphrase (8 or more characters)", type="password", key="new_pass"
    )
    again = st.text_input("The same passphrase again", type="password", key="new_again")
    if st.form_submit_button("Create my account", type="primary", key="create_submit"):
        if new_passphrase != again:
            st.error("The two passphrases are different. Please type them again.")
        else:
            try:
                remember(accounts.create_person(store, new_name, new_passphrase, client=client_address()))
            except VerpError as exc:
                st.error(str(exc))
            else:
                st.rerun()
