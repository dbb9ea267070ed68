"""The shared review as a guider runs it, in real Chromium: Control on a phone-sized window leads a
participant's turn in the new order and drives the projector's player (freeze, a frame on, half speed
with sound, a jump to a captioned freeze-frame); a deficit-worded reflection waits and is flagged."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_workshop import shot, signed_in_context
from tests.support.browser import open_sections, rerun_of, wait_for_app
from tests.support.media import make_clip
from tests.support.workshop import add_helping_question, make_workshop, share_moment
from verp.core.accounts import create_person
from verp.core.config import load_settings
from verp.core.models import FreezeFrame
from verp.core.store import Store
from verp.records import export, summary
from verp.workshop import workshops

WAIT = 45000  # a busy machine: generous, but every wait is on a condition
PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1920, "height": 1080}
VIDEO = "document.querySelector('.verp-room video')"


@pytest.fixture
def room(app_server):
    store = Store.open(load_settings({"VERP_DATA_DIR": str(app_server.data_dir)}))
    ana = create_person(store, "Ana Teacher", "correct horse battery")
    ben = create_person(store, "Ben Colleague", "another long passphrase")
    workshop = make_workshop(store, ana.id, "Autumn group", auto_approve=False)
    _, moment_id = share_moment(store, ben.id, workshop.id, "Circle time", video_file="cut.mp4")
    with store.transaction() as s:  # the moment runs 1–11 s of its clip; a caption at 2.5 s
        s.add(FreezeFrame(moment_id=moment_id, at_s=2.5, caption="looks up", chain_part="initiative"))
    add_helping_question(store, ben.id, "How can I wait longer?", shared=True)
    video = workshops.shown_moments(store, workshop.id)[0].cut
    video.parent.mkdir(parents=True, exist_ok=True)
    make_clip(video, seconds=4, fps=30)
    workshop = workshops.open_workshop(store, ana.id, workshop.id)
    yield workshop, ana, ben, store
    store.engine.dispose()


def pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def video_is(page, condition: str) -> None:
    try:
        page.wait_for_function(f"() => {{ const v = {VIDEO}; return !!v && ({condition}); }}", timeout=WAIT)
    except Exception:
        seen = page.evaluate(
            f"() => {{ const v = {VIDEO}; return v && {{paused: v.paused, muted: v.muted, "
            "rate: v.playbackRate, time: v.currentTime, ready: v.readyState}; }"
        )
        raise AssertionError(f"the projector's video never showed {condition}: it is {seen}") from None


def press(control, name: str) -> None:
    """Click one of Control's buttons and wait for the run it starts (not merely an idle page: a click
    made before the previous click's run began would be folded into it)."""
    with rerun_of(control):
        control.get_by_role("button", name=name, exact=True).click()


def next_step(control, projector, expect: str) -> None:
    press(control, "Next")
    try:
        projector.get_by_text(expect, exact=False).first.wait_for(timeout=WAIT)
    except Exception:
        on_control = control.get_by_text("Step ", exact=False).first.text_content()
        shown = projector.locator("body").inner_text()[:600]
        raise AssertionError(
            f"the projector never showed {expect!r}: Control is on {on_control!r}; the projector: {shown}"
        ) from None


@pytest.mark.browser
def test_a_participants_turn_runs_in_order_and_the_projector_follows_the_micro_analysis(
    app_server, chromium, room
):
    workshop, ana, ben, store = room
    control = signed_in_context(chromium, app_server.url, store, ana, viewport=PHONE).new_page()
    projector = chromium.new_context(viewport=PROJECTOR).new_page()
    for page in (control, projector):
        page.set_default_timeout(WAIT)
    control.goto(app_server.url + "/control")
    wait_for_app(control)
    href = control.get_by_role("link", name="Open Present (projector)").get_attribute("href")
    projector.goto(f"{app_server.url}/{href.lstrip('/')}")
    projector.get_by_text(workshop.join_code).wait_for()

    next_step(control, projector, "Principles of attuned interaction")
    next_step(control, projector, "Ben Colleague: Context and helping question")
    projector.get_by_text("How can I wait longer?").wait_for()
    next_step(control, projector, "Brought by Ben Colleague")
    video_is(projector, "v.readyState >= 1 && !v.paused && v.muted")
    projector.get_by_text("looks up — initiative").wait_for()  # the timeline's mark
    next_step(control, projector, "What were you thinking, feeling, hoping here?")
    shot(projector, "guided-voice-projector")
    layout = projector.evaluate(
        """() => {
          const box = document.querySelector('.verp-room video').getBoundingClientRect();
          const find = (css, text) =>
            [...document.querySelectorAll(css)].find(e => e.textContent.includes(text));
          const prompt = find('h3', 'thinking, feeling');
          const words = find('.verp-big', 'Brought by');
          const line = document.querySelector('.verp-timeline').getBoundingClientRect();
          return {video: box.width, text: parseFloat(getComputedStyle(words).fontSize),
                  prompt: prompt.getBoundingClientRect().bottom, line: line.bottom, height: innerHeight};
        }"""
    )
    assert layout["video"] >= 0.6 * 1920 and layout["text"] >= 28  # read from the back of the room
    assert layout["prompt"] <= layout["height"] and layout["line"] <= layout["height"]  # no scrolling

    control.get_by_text("Projector sound: locked", exact=False).wait_for()
    projector.get_by_role("button", name="Start with sound").click()
    control.get_by_text("Projector sound: off", exact=False).wait_for(timeout=WAIT)
    press(control, "Sound on")
    video_is(projector, "!v.muted && !v.paused")
    press(control, "Half speed")
    video_is(projector, "v.playbackRate === 0.5 && !v.muted")
    press(control, "Freeze on this frame")
    video_is(projector, "v.paused")
    press(control, "Go to 0:01.5 · looks up — initiative")  # a known place: it may have frozen at the end
    video_is(projector, "v.paused && Math.abs(v.currentTime - 1.5) < 0.02")
    press(control, "One frame on")
    video_is(projector, "v.paused && Math.abs(v.currentTime - (1.5 + 1 / 30)) < 0.02")
    press(control, "Play")
    video_is(projector, "!v.paused && v.playbackRate === 0.5 && !v.muted")
    shot(control, "guided-control-phone")

    next_step(control, projector, "What do you notice that is working?")
    for heading in ("Which principle is that?", "Thinking and feeling", "What we noticed in Ben Colleague"):
        next_step(control, projector, heading)
    next_step(control, projector, "What will you take into your own practice?")
    next_step(control, projector, "What would you like to do more of?")
    control.get_by_role("radio", name="7", exact=True).click()
    press(control, "Save rating")
    control.get_by_test_id("stMain").get_by_text("Saved 7/10 for this workshop.").wait_for()

    [ben_line] = [
        p for p in summary.workshop_summary(store, workshop.id).participants if p.name == ben.display_name
    ]
    assert [q.ratings for q in ben_line.helping_questions] == [(7,)]
    control.goto(app_server.url + "/summary")
    wait_for_app(control)
    open_sections(control, "Who took part")
    row = control.locator(
        "[role=row]", has=control.locator("[role=gridcell]", has_text="How can I wait longer?")
    )
    row.first.wait_for(state="attached")  # the summary's table of who took part, with the rating
    assert row.first.locator("[role=gridcell]").last.text_content() == "7"
    kept = summary.workshop_summary(store, workshop.id)
    plain = pdf_text(export.summary_pdf(kept))
    assert "not for appraisal or performance management" in plain and "Rated 7" not in plain
    assert "Rated 7" in pdf_text(export.summary_pdf(kept, include_ratings=True))


@pytest.mark.browser
def test_a_deficit_worded_reflection_from_a_phone_waits_and_is_flagged(app_server, chromium, room):
    workshop, ana, _, store = room
    phone = chromium.new_context(viewport=PHONE).new_page()
    phone.set_default_timeout(WAIT)
    phone.goto(f"{app_server.url}/join?code={workshop.join_code}")
    wait_for_app(phone)
    phone.get_by_label("Your name", exact=False).fill("Cara")
    phone.get_by_role("button", name="Join").click()
    phone.get_by_text("You are in as Cara.").wait_for()
    box = phone.get_by_label("Your reflection")
    box.fill("she should have waited")  # typed first, then a sentence starter put before the words
    phone.get_by_role("button", name="I noticed…").click()
    wait_for_app(phone)
    expect(box).to_have_value("I noticed she should have waited")  # once the click's rerun has drawn it
    phone.get_by_role("button", name="Send").click()
    phone.get_by_text("waiting for the facilitator").wait_for()

    control = signed_in_context(chromium, app_server.url, store, ana, viewport=PHONE).new_page()
    control.set_default_timeout(WAIT)
    control.goto(app_server.url + "/control")
    control.get_by_text("I noticed she should have waited").wait_for()
    control.get_by_text("Possibly deficit wording (“should have”)", exact=False).wait_for()
    assert not workshops.get_workshop(store, workshop.id).auto_approve
    from verp.workshop import reflections

    assert reflections.wall(store, workshop.id) == []
