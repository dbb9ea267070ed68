"""Home: what VERP is, and the way in to what exists."""

import streamlit as st

from verp.ui.session import current_person

st.title("VERP Workshop")
st.markdown(
    "Video Enhanced Reflective Practice helps staff see, and build on, what already works. "
    "You film short moments of your own practice, pick the ones that went *better than usual*, "
    "and look at them together through the principles of attuned interaction."
)

person = current_person()
left, right = st.columns(2)
with left:
    if person is None:
        st.page_link("pages/sign_in.py", label="Sign in to bring your clips", icon=":material/login:")
    else:
        st.page_link("pages/my_clips.py", label="My clips", icon=":material/video_library:")
with right:
    st.page_link("pages/principles.py", label="The principles", icon=":material/diversity_3:")
