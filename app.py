"""VERP Workshop: the entry point. ``streamlit run app.py`` starts it.

The server imports this file once to find ``app`` (its extra HTTP routes: clip playback by signed URL);
each browser session then runs it as ``__main__`` to draw the pages.
"""

import streamlit as st

if __name__ != "__main__":
    from verp.ui.shell import prepare_server
    from verp.web import routes

    prepare_server()
    app = st.App("app.py", routes=routes())
else:
    from verp.ui.shell import run_app

    run_app()
