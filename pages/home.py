"""Home: what VERP is, and big ways in to what this person can do here."""

import streamlit as st

from verp.ui.session import current_person
from verp.ui.shell import PAGES, menu

WHAT_EACH_PAGE_IS_FOR = {
    "pages/sign_in.py": "Sign in, or make an account, to bring your own clips.",
    "pages/my_clips.py": "Add a clip from this device and find your clips again.",
    "pages/review.py": "Find the moments that went better than usual, and choose what to share.",
    "pages/capture.py": "Record a clip with this computer's camera.",
    "pages/principles.py": "The principles of attuned interaction, and what they look like on video.",
    "pages/join.py": "In a workshop? Type the code from the screen to add your reflections.",
    "pages/plan.py": "Make a workshop and see the moments shared with it.",
    "pages/control.py": "Run a workshop: step through it and look after the wall.",
    "pages/summary.py": "Everything a workshop noticed, to keep and print.",
    "pages/my_progress.py": "Your helping question over the cycles, and your next steps.",
    "pages/accessibility.py": "How the app works with a keyboard, a clicker, a screen reader and captions.",
}

st.title("VERP Workshop")
st.markdown(
    "Video Enhanced Reflective Practice helps staff see, and build on, what already works. "
    "You film short moments of your own practice, pick the ones that went *better than usual*, "
    "and look at them together through the principles of attuned interaction."
)

titles = {path: (title, icon) for path, title, icon, _ in PAGES}
shown = menu(current_person())
ways_in = [path for path in WHAT_EACH_PAGE_IS_FOR if path in shown]
columns = st.columns(2)
for index, path in enumerate(ways_in):
    title, icon = titles[path]
    with columns[index % 2].container(border=True):
        st.page_link(path, label=f"**{title}**", icon=icon)
        st.caption(WHAT_EACH_PAGE_IS_FOR[path])
