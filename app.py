"""VERP Workshop: page config, the navigation for whoever is signed in, and the sidebar."""

import streamlit as st

from verp.ui.session import current_person, flush_cookie, forget
from verp.ui.style import apply_base_style

st.set_page_config(page_title="VERP Workshop", page_icon=":material/videocam:", layout="wide")
apply_base_style()
flush_cookie()

person = current_person()

home = st.Page("pages/home.py", title="Home", icon=":material/home:", default=True)
principles = st.Page("pages/principles.py", title="Principles", icon=":material/diversity_3:")
sign_in = st.Page("pages/sign_in.py", title="Sign in", icon=":material/login:")
my_clips = st.Page("pages/my_clips.py", title="My clips", icon=":material/video_library:")
capture = st.Page("pages/capture.py", title="Record a clip", icon=":material/videocam:")

pages = [home, principles, sign_in] if person is None else [home, my_clips, capture, principles]

navigation = st.navigation(pages)

with st.sidebar:
    if person is None:
        st.caption("Not signed in")
    else:
        st.caption("Signed in as")
        st.text(person.display_name)
        if st.button("Sign out", icon=":material/logout:"):
            forget()
            st.rerun()

navigation.run()
