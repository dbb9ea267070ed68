import uuid
from datetime import timedelta

from tests.support.apptest import open_app, open_section
from tests.support.media import make_clip
from tests.support.trust import clip_row
from tests.support.upload import send_upload, uploader_reports
from verp.core import accounts
from verp.core.models import Clip, utcnow
from verp.review import clips
from verp.room.principles import catalogue
from verp.worker import run_pending


def texts(at) -> str:
    return " ".join(
        [m.value for m in at.markdown]
        + [t.value for t in at.text]
        + [c.value for c in at.caption]
        + [i.value for i in at.info]
        + [s.value for s in at.success]
        + [e.value for e in at.error]
    )


def test_home_renders_for_a_newcomer(store):
    at = open_app()
    assert not at.exception
    assert at.title[0].value == "VERP Workshop"
    assert "better than usual" in texts(at)


def test_principles_show_six_cards_and_the_projector_toggle(store):
    at = open_app("pages/principles.py")
    assert not at.exception
    cards = [m.value for m in at.markdown if m.value.startswith("### ")]  # a card: its heading first
    headings = [card.splitlines()[0].removeprefix("### ") for card in cards]
    assert sorted(headings[:6]) == [f"{p.number}. {p.name}" for p in catalogue().principles]  # by column
    assert "1. Being attentive" in headings and "6. Deepening discussion" in headings
    assert headings[6:] == ["Initiative", "Reception", "Response"]
    assert any(card.startswith("### 2. Encouraging") and "\n- Waiting\n" in card for card in cards)
    at.toggle(key="projector").set_value(True).run()
    assert any("font-size: 30px" in str(h.proto) for h in at.get("html"))


def test_signing_up_and_in_through_the_page(store):
    at = open_app("pages/sign_in.py")
    at.text_input(key="new_name").input("Cara Assistant")
    at.text_input(key="new_pass").input("a long enough passphrase")
    at.text_input(key="new_again").input("a long enough passphrase")
    at.button(key="create_submit").click().run()
    assert not at.exception
    person = accounts.sign_in(store, "Cara Assistant", "a long enough passphrase")
    assert at.session_state["person_id"] == person.id


def test_a_wrong_passphrase_is_explained(store, teacher):
    at = open_app("pages/sign_in.py")
    at.text_input(key="signin_name").input("Ana Teacher")
    at.text_input(key="signin_pass").input("not the passphrase")
    at.button(key="signin_submit").click().run()
    assert "do not match" in at.error[0].value
    assert "person_id" not in at.session_state


def test_my_clips_asks_a_stranger_to_sign_in(store):
    at = open_app("pages/my_clips.py")
    assert "Please sign in" in texts(at)
    assert not at.get("bidi_component")  # no uploader


def test_upload_list_rename_and_delete_a_clip(store, teacher, tmp_path, monkeypatch):
    at = open_app("pages/my_clips.py", teacher)
    assert "No clips yet" in texts(at)
    assert [e.key for e in at.get("bidi_component")] == ["clip_uploader"]
    data = make_clip(tmp_path / "Circle time.mp4").read_bytes()
    sent = send_upload(store, teacher.id, "Circle time.mp4", data)
    uploader_reports(monkeypatch, sent.clip_id)
    at.run()
    assert not at.exception
    assert "Saved “Circle time”" in texts(at)
    [clip] = clips.list_clips(store, teacher.id)
    assert at.subheader[0].value == "Circle time"
    assert len(at.get("video")) == 0 and len(at.get("image")) == 1  # the worker has not prepared it yet
    run_pending(store)
    at.run()
    assert len(at.get("video")) == 0  # the player is drawn once "Play" is opened
    open_section(at, f"play_open_{clip.id}")
    assert len(at.get("video")) == 1 and len(at.get("image")) == 1

    open_section(at, f"rename_open_{clip.id}")
    at.text_input(key=f"title_{clip.id}").input("Snack table")
    at.button(key=f"rename_{clip.id}").click().run()
    assert at.subheader[0].value == "Snack table"

    at.button(key=f"delete_{clip.id}").click().run()
    assert "for good" in at.warning[0].value
    at.button(key=f"confirm_{clip.id}").click().run()
    assert clips.list_clips(store, teacher.id) == []
    assert not clip.original.parent.exists()
    assert "No clips yet" in texts(at)


def test_an_upload_deleted_in_another_tab_before_the_page_hears_of_it_is_no_error(
    store, teacher, tmp_path, monkeypatch
):
    data = make_clip(tmp_path / "a.mp4", seconds=1).read_bytes()
    sent = send_upload(store, teacher.id, "a.mp4", data)
    at = open_app("pages/my_clips.py", teacher)
    clips.delete_clip(store, teacher.id, sent.clip_id)  # another tab deleted it meanwhile
    uploader_reports(monkeypatch, sent.clip_id)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "No clips yet" in texts(at) and not at.success


def test_a_clip_past_its_delete_by_date_is_gone_when_the_app_starts(data_env, tmp_path):
    """The retention purge runs as the app opens its store, before anyone sees the clip."""
    from datetime import timedelta

    from verp.core.config import load_settings
    from verp.core.models import utcnow
    from verp.core.store import Store

    early = Store.open(load_settings())
    owner = accounts.create_person(early, "Dee Owner", "a long passphrase")
    with open(make_clip(tmp_path / "old.mp4"), "rb") as f:
        clip = clips.add_clip(early, owner.id, "old.mp4", f)
    with early.transaction() as s:  # never shared, no consent record: it still has a date
        s.get(Clip, clip.id).delete_by = (utcnow() - timedelta(days=1)).date()
    early.engine.dispose()
    at = open_app("pages/my_clips.py", owner)
    assert "No clips yet" in texts(at)
    assert not clip.original.parent.exists()


def test_the_server_preloads_what_pages_import_in_the_background(monkeypatch):
    """Every module named for preloading exists, and the server starts the preload without waiting;
    once loaded, what start-up made is out of the garbage collector's way (no long full collections)."""
    import gc
    import importlib
    import threading

    from verp.ui import shell

    for name in shell.PRELOAD:
        importlib.import_module(name)
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(gc.get_count()))
    frozen: list = []
    shell._preload()
    assert len(frozen) == 1
    from streamlit.runtime.pages_manager import PagesManager

    started = []
    monkeypatch.setattr(threading.Thread, "start", lambda self: started.append(self.name))
    monkeypatch.setattr(PagesManager, "uses_pages_directory", PagesManager.uses_pages_directory)  # restored
    shell.prepare_server()
    assert started == ["verp-preload"]


def _clips_added_a_day_apart(store, owner_id: int, titles: list[str]) -> list[str]:
    """Clip rows, the last title the newest (the list needs no video to list them)."""
    ids = []
    with store.transaction() as s:
        for days_ago, title in enumerate(reversed(titles)):
            clip_id = uuid.uuid4().hex
            s.add(clip_row(clip_id, owner_id, title, created_at=utcnow() - timedelta(days=days_ago)))
            ids.append(clip_id)
    return ids[::-1]


def test_my_clips_lists_the_newest_three_and_the_earlier_ones_on_request(store, teacher):
    _clips_added_a_day_apart(store, teacher.id, ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"])
    at = open_app("pages/my_clips.py", teacher)
    assert not at.exception
    assert [h.value for h in at.subheader] == ["Friday", "Thursday", "Wednesday"]  # newest first
    at.toggle(key="show_earlier_clips").set_value(True).run()
    assert [h.value for h in at.subheader] == ["Friday", "Thursday", "Wednesday", "Tuesday", "Monday"]
    assert at.toggle(key="show_earlier_clips").label == "Show my 2 earlier clips"


def test_an_earlier_clip_being_renamed_stays_in_sight_when_the_switch_is_off(store, teacher):
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    ids = _clips_added_a_day_apart(store, teacher.id, days)
    at = open_app("pages/my_clips.py", teacher)
    at.toggle(key="show_earlier_clips").set_value(True).run()
    open_section(at, f"rename_open_{ids[0]}")  # Monday's, the earliest
    at.toggle(key="show_earlier_clips").set_value(False).run()
    assert [h.value for h in at.subheader] == ["Friday", "Thursday", "Wednesday", "Monday"]
    assert at.toggle(key="show_earlier_clips").label == "Show my earlier clip"  # Tuesday's
