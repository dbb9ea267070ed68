"""End-to-end fixtures: a real ``streamlit run app.py`` server and headless Debian Chromium.

Browser tests skip only when chromium is missing *and* ``VERP_REQUIRE_BROWSER`` is unset; CI sets it, so
a machine without chromium fails loudly there instead of passing quietly.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


def _require_browser() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("VERP_REQUIRE_BROWSER"):
            pytest.fail(
                "VERP_REQUIRE_BROWSER is set but chromium is not installed (apt-get install chromium)"
            )
        pytest.skip("chromium is not installed; set VERP_REQUIRE_BROWSER=1 to make this a failure")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class AppServer:
    """A running app: its base URL, its data folder, and the process (to stop or kill it)."""

    url: str
    data_dir: Path
    env: dict[str, str]
    process: subprocess.Popen
    port: int

    def stop(self, kill: bool = False) -> None:
        if self.process.poll() is None:
            (self.process.kill if kill else self.process.terminate)()
            self.process.wait(15)


def start_app(data_dir: Path, extra_env: dict[str, str] | None = None, port: int | None = None) -> AppServer:
    """Start ``streamlit run app.py`` on a free loopback port and wait until it answers."""
    port = port or free_port()
    env = dict(os.environ, VERP_DATA_DIR=str(data_dir), **(extra_env or {}))
    env.pop("VERP_TEST_DATABASE_URL", None)
    log = open(data_dir.parent / f"server-{port}.log", "ab")  # noqa: SIM115 - lives as long as the server
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                return AppServer(url, data_dir, env, process, port)
        except OSError:
            time.sleep(0.2)
        if process.poll() is not None:
            break
    process.kill()
    raise RuntimeError(f"the app did not start; see {log.name}")


@pytest.fixture
def app_server(tmp_path: Path) -> Iterator[AppServer]:
    _require_browser()
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    server = start_app(data_dir)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(20000)
    yield page
    context.close()


def wait_for_app(page) -> None:
    """Wait until Streamlit has finished the current run."""
    page.wait_for_selector('[data-testid="stApp"]')
    page.wait_for_timeout(300)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30000)


def sign_up(
    page, base_url: str, name: str = "Ana Teacher", passphrase: str = "correct horse battery"
) -> None:
    """Create an account through the Sign in page and wait for My clips."""
    page.goto(base_url + "/sign_in")
    wait_for_app(page)
    page.get_by_role("tab", name="I am new here").click()
    panel = page.locator('[data-testid="stForm"]').nth(1)
    panel.get_by_label("Your name").fill(name)
    panel.get_by_label("Choose a passphrase (8 or more characters)").fill(passphrase)
    panel.get_by_label("The same passphrase again").fill(passphrase)
    panel.get_by_role("button", name="Create my account").click()
    page.wait_for_url("**/my_clips")
    wait_for_app(page)
    wait_for_session_cookie(page)


def wait_for_session_cookie(page, timeout_s: float = 15) -> None:
    """Wait until the browser holds the HttpOnly session cookie the app's route sets after sign-in."""
    deadline = time.monotonic() + timeout_s
    while not any(c["name"] == "verp_session" for c in page.context.cookies()):
        if time.monotonic() > deadline:
            raise AssertionError("the browser never received the session cookie")
        page.wait_for_timeout(50)
