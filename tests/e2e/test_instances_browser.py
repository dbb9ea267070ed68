"""Two instances of the app on one data folder: a browser signed in on one is signed in on the other."""

import pytest

from tests.support.browser import sign_up, start_app, wait_for_app

pytestmark = pytest.mark.browser


def test_sign_in_survives_a_reload_and_a_move_to_another_instance(app_server, browser_page):
    page = browser_page
    sign_up(page, app_server.url)
    page.reload()
    wait_for_app(page)
    page.get_by_text("Signed in as").wait_for()

    other = start_app(app_server.data_dir)  # a second instance behind the same proxy
    try:
        page.goto(other.url + "/audit")
        wait_for_app(page)
        page.get_by_text("Signed in as").wait_for()
        page.get_by_role("heading", name="Audit log").wait_for()  # the first account is a facilitator
    finally:
        other.stop()
