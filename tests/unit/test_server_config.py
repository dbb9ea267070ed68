"""The server's Streamlit settings that the room's speed depends on."""

import tomllib

from tests.support.paths import ROOT

CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())


def test_the_server_does_not_collect_garbage_in_full_after_every_page_run():
    """A full collection over the app's libraries holds the server 120-150 ms after each run of each
    session, while the projector and the phones wait (bench/README.md, the room)."""
    assert CONFIG["runner"]["postScriptGC"] is False
