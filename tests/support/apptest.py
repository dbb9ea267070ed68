"""AppTest helpers: run the real app (``app.py`` with its navigation) against the test's own store."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.support.paths import ROOT


def server_pages_manager() -> type:
    """AppTest's pages manager, made to run each page inside ``app.py``'s frame as a started server does.

    Streamlit treats an app with a ``pages/`` folder as an old-style multipage app until a run calls
    ``st.navigation``, and AppTest forgets that before every run: after the first run it runs a
    switched-to page's file alone, without the frame every visitor's run goes through (the navigation,
    the sidebar, the signed-in check, the stylesheet). The server declares the new style when it starts
    (``verp.ui.shell.prepare_server``); put this in place of ``app_test.PagesManager`` to do the same.
    """
    from streamlit.runtime.pages_manager import PagesManager

    class ServerPages(PagesManager):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            PagesManager.uses_pages_directory = False

    return ServerPages


def open_app(page: str | None = None, person=None) -> AppTest:
    """Run ``app.py`` (optionally signed in as ``person``) and switch to ``page`` if given."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    if person is not None:
        at.session_state["person_id"] = person.id
    at.run()
    if page is not None:
        at.switch_page(page)
        at.run()
    return at


def open_page(page: str, person_id: int | None = None, query: dict | None = None) -> AppTest:
    """Open ``pages/<page>.py`` through the app's navigation, with query parameters if given."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    if person_id is not None:
        at.session_state["person_id"] = person_id
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page(f"pages/{page}.py")
    return at.run()


def run_page_alone(page: str, person_id: int | None = None, query: dict | None = None) -> AppTest:
    """Run one page script on its own, as someone typing its address would reach it without the menu."""
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=30)
    if person_id is not None:
        at.session_state["person_id"] = person_id
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def component_data(at, name: str) -> dict:
    """The data a page handed to its custom component ``name`` (AppTest runs no component script); a
    component handed one JSON text as bytes (as the room's follower is) gives what the text holds."""
    import json

    found = [c.proto for c in at.get("bidi_component") if name in c.proto.component_name]
    assert len(found) == 1, f"{len(found)} components named {name!r} drawn"
    if found[0].WhichOneof("data") == "bytes":
        return json.loads(found[0].bytes.decode())
    return json.loads(found[0].json)


def open_section(at: AppTest, key: str) -> AppTest:
    """Open the section (``verp.ui.sections.section``) keyed ``key``, as a click on it does: its
    contents are drawn from that run on."""
    return open_sections(at, key)


def open_sections(at: AppTest, *keys: str) -> AppTest:
    """Open each of the sections keyed ``keys`` (as clicks on them do), then run the page once."""
    for key in keys:
        assert any(e.proto.id.endswith(f"-{key}") for e in at.expander), f"no section {key!r} on the page"
        at.session_state[key] = True
    return at.run()
