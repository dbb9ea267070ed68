"""Browser-test helpers: a real ``streamlit run app.py`` server and waits on what the page shows.

Every wait here is on a condition (the app's own run state, a run having finished), never a fixed sleep.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.database import server_database_url
from tests.support.paths import ROOT
from tests.support.waiting import wait_until

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]

# Streamlit marks its root element with the script's run state and the connection's state.
_IDLE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.dataset.testScriptState === 'notRunning'
    && app.dataset.testConnectionState === 'CONNECTED';
}"""
# Counts the script runs that have finished, from the server's own messages. Streamlit's run-state attribute
# is no witness: a run that takes a few milliseconds sends "running" and "finished" so close together that
# React draws only the second, and the page never shows it was running. Each WebSocket frame is one
# ForwardMsg; a run's end is its field ``script_finished`` (6). The count goes up two animation frames
# after the message, once Streamlit has drawn what came before it.
RUN_COUNTER_JS = """(() => {
  if (window.__verpRunsFinished !== undefined) return;
  window.__verpRunsFinished = 0;
  const SCRIPT_FINISHED = 6;
  const finishes = (bytes) => {  // the top-level fields of one ForwardMsg
    let at = 0;
    const varint = () => {
      let value = 0, shift = 0, byte;
      do { byte = bytes[at++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
      return value;
    };
    while (at < bytes.length) {
      const key = varint(), field = Math.floor(key / 8), wire = key % 8;
      if (field === SCRIPT_FINISHED) return true;
      if (wire === 0) varint();
      else if (wire === 1) at += 8;
      else if (wire === 2) at += varint();
      else if (wire === 5) at += 4;
      else return false;
    }
    return false;
  };
  const counted = () => requestAnimationFrame(() => requestAnimationFrame(() => {
    window.__verpRunsFinished += 1;
  }));
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", async (event) => {
        const data = event.data instanceof Blob ? await event.data.arrayBuffer() : event.data;
        if (data instanceof ArrayBuffer && finishes(new Uint8Array(data))) counted();
      });
    }
  };
})()"""
_RUNS_FINISHED = "() => window.__verpRunsFinished"


def count_runs(browser) -> None:
    """Make every context ``browser`` opens from now on count its pages' finished runs (``rerun_of``)."""
    new_context = browser.new_context

    def counting_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.add_init_script(RUN_COUNTER_JS)
        return context

    browser.new_context = counting_context


def require_browser() -> None:
    """Skip without chromium, unless ``VERP_REQUIRE_BROWSER`` asks for a failure instead (CI)."""
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
        """Stop the app and its worker (one process group, as ``start.sh`` leaves them)."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL if kill else signal.SIGTERM)
            self.process.wait(15)


def server_env(data_dir: Path, extra_env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of an app server on ``data_dir``: on PostgreSQL, the test folder's own schema."""
    env = dict(os.environ, VERP_DATA_DIR=str(data_dir), **(extra_env or {}))
    env.pop("VERP_TEST_DATABASE_URL", None)
    if "VERP_DATABASE_URL" not in env and (url := server_database_url(data_dir.parent)):
        env["VERP_DATABASE_URL"] = url
    return env


def start_app(data_dir: Path, extra_env: dict[str, str] | None = None, port: int | None = None) -> AppServer:
    """Start the app as ``start.sh`` does (``scripts/run.sh``: the app and a worker beside it) on a free
    loopback port and wait until it answers."""
    port = port or free_port()
    env = server_env(data_dir, extra_env)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # this venv's python
    log = open(data_dir.parent / f"server-{port}.log", "ab")  # noqa: SIM115 - lives as long as the server
    process = subprocess.Popen(
        [
            *("bash", "scripts/run.sh", "--server.headless", "true"),
            *("--server.port", str(port), "--server.address", "127.0.0.1"),
            *("--server.fileWatcherType", "none"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stop() ends the app and its worker together
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                return AppServer(url, data_dir, env, process, port)
        except OSError:
            time.sleep(0.2)  # polling interval while the server starts, not a wait in place of a check
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    raise RuntimeError(f"the app did not start; see {log.name}")


def wait_for_app(page) -> None:
    """Wait until Streamlit is connected and not running a script (after a page load, the first run)."""
    page.wait_for_function(_IDLE, timeout=30000)


@contextmanager
def rerun_of(page, timeout_ms: float = 30000) -> Iterator[None]:
    """Wait until the run that the action inside the block starts has finished:

    ``with rerun_of(page): box.press("Enter")``.
    """
    before = page.evaluate(_RUNS_FINISHED)
    if before is None:
        raise RuntimeError("this page does not count its runs: open it from the chromium fixture's browser")
    yield
    page.wait_for_function(f"n => ({_RUNS_FINISHED})() > n && ({_IDLE})()", arg=before, timeout=timeout_ms)


def open_sections(page, *labels: str) -> None:
    """Open each section (``verp.ui.sections``) headed ``labels`` with a click, as a person does: each
    click reruns the page, which draws the section's contents; wait for that run before the next click."""
    for label in labels:
        with rerun_of(page):
            page.locator("summary", has_text=label).click()


def enter_number(page, label: str, value: float, tries: int = 3) -> None:
    """Type ``value`` into the number box ``label`` and press Enter, waiting for the run it starts.

    A run already on its way when the number is typed can redraw the box and drop what was typed; then
    Enter changes nothing and starts no run. So type it again until the box holds the number after its
    run."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = page.get_by_label(label).first
    for _ in range(tries):
        wait_for_app(page)
        box.fill(str(value))
        try:
            with rerun_of(page, timeout_ms=10000):
                box.press("Enter")
        except PlaywrightTimeout:
            continue
        if float(box.input_value()) == value:
            return
    raise AssertionError(f"{label!r} never kept {value} after {tries} tries")


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
    """Wait until the browser holds the HttpOnly session cookie the app's route sets after sign-in
    (it arrives by a request just after the page shows the signed-in menu)."""
    has_cookie = lambda: any(c["name"] == "verp_session" for c in page.context.cookies())  # noqa: E731
    wait_until(has_cookie, timeout_s, "the browser never received the session cookie")
