"""The server's Streamlit settings that the room's speed (and its safety) depend on."""

import tomllib

from tests.support.paths import ROOT

CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())


def test_the_server_does_not_collect_garbage_in_full_after_every_page_run():
    """A full collection over the app's libraries holds the server 120-150 ms after each run of each
    session, while the projector and the phones wait (bench/README.md, the room)."""
    assert CONFIG["runner"]["postScriptGC"] is False


def test_pages_are_not_rewritten_by_magic():
    """A bare expression in a page is never drawn by itself (as Markdown, possibly of someone's words),
    and a page's code is compiled as written."""
    assert CONFIG["runner"]["magicEnabled"] is False
