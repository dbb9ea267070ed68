"""Clip playback by short-lived URL: range requests work; forged, expired, escaping or borrowed links do
not; and every way a permission ends (withdraw, remove, close, delete, delete-by date) ends the link at
once."""

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from tests.support.review import add_consent
from tests.support.workshop import make_workshop, share_moment
from verp import web
from verp.core import accounts, sessions, signing
from verp.core.errors import VerpError
from verp.core.models import Clip, Consent, Moment, today
from verp.review import clips, moments, sharing
from verp.web import Grant
from verp.workshop import workshops


@pytest.fixture
def client(store):
    return TestClient(Starlette(routes=web.routes()))


def _url(store, name: str, grant: Grant) -> str:
    return f"{web.MEDIA_ROUTE}/{web.media_token(store.settings, name, grant)}"


@pytest.fixture
def shown(store, teacher, colleague):
    """A planned workshop of the teacher showing the colleague's moment, whose cut is on disk."""
    w = make_workshop(store, teacher.id)
    share_id, moment_id = share_moment(store, colleague.id, w.id, "Circle time", video_file="cut.mp4")
    with store.transaction() as s:
        moment = s.get(Moment, moment_id)
        name, clip_id = moment.cut_name, moment.clip_id
    store.clip_path(name).parent.mkdir(parents=True, exist_ok=True)
    store.clip_path(name).write_bytes(bytes(range(256)) * 40)
    add_consent(store, colleague.id, clip_id)
    return w, share_id, moment_id, clip_id, name


def test_a_signed_link_serves_the_file_with_range_requests(store, client, colleague, shown):
    _, _, _, clip_id, name = shown
    url = _url(store, name, Grant.owner(colleague.id, clip_id))
    whole = client.get(url)
    assert whole.status_code == 200 and whole.headers["content-type"] == "video/mp4"
    assert whole.headers["cache-control"] == "no-store"
    part = client.get(url, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == bytes(range(10, 20))


def test_links_drawn_in_the_same_minute_are_the_same_so_a_rerun_keeps_the_video_playing(store, shown):
    _, _, _, clip_id, name = shown
    grant = Grant.owner(1, clip_id)
    assert web.media_token(store.settings, name, grant) == web.media_token(store.settings, name, grant)


def test_a_new_minute_signs_a_new_link_so_a_kept_one_never_outlives_its_time(store, shown, monkeypatch):
    _, _, _, clip_id, name = shown
    grant, now = Grant.owner(1, clip_id), [1_800_000_000.0]
    monkeypatch.setattr(signing.time, "time", lambda: now[0])
    first = web.media_token(store.settings, name, grant)
    now[0] += web.URL_STEP_S
    later = web.media_token(store.settings, name, grant)
    assert later != first
    assert web.read_token(store.settings, first, max_age_s=0) is None  # a minute old by now
    assert web.read_token(store.settings, later, max_age_s=0) is not None


def _sign_in(client: TestClient, store, person_id: int) -> TestClient:
    """The browser ``client`` signed in as ``person_id``: it holds that person's session cookie."""
    ticket = sessions.start_session(store, person_id).ticket
    assert client.post(web.SESSION_ROUTE, content=ticket).status_code == 204
    return client


def test_a_link_past_its_minutes_plays_on_only_in_its_own_viewers_signed_in_browser(
    store, client, teacher, colleague, shown, monkeypatch
):
    _, _, _, clip_id, name = shown
    url = _url(store, name, Grant.owner(colleague.id, clip_id))
    later = signing.minute() + web.URL_MAX_AGE_S + web.URL_STEP_S  # a page left open past its links' time
    monkeypatch.setattr(signing, "minute", lambda: later)
    assert client.get(url).status_code == 403  # nobody signed in: the link has run out
    assert _sign_in(client, store, teacher.id).get(url).status_code == 403  # someone else's browser
    owners = _sign_in(TestClient(Starlette(routes=web.routes())), store, colleague.id)
    assert owners.get(url, headers={"Range": "bytes=0-9"}).status_code == 206
    clips.delete_clip(store, colleague.id, clip_id)  # and it still dies with the permission
    assert owners.get(url).status_code in (403, 404)


def test_a_forged_or_tampered_link_is_refused(store, client, colleague, shown):
    _, _, _, clip_id, name = shown
    token = web.media_token(store.settings, name, Grant.owner(colleague.id, clip_id))
    assert client.get(f"{web.MEDIA_ROUTE}/{token[:-2]}xx").status_code == 403
    assert client.get(f"{web.MEDIA_ROUTE}/abc").status_code == 403


def test_a_link_lives_minutes(store, colleague, shown):
    _, _, _, clip_id, name = shown
    token = web.media_token(store.settings, name, Grant.owner(colleague.id, clip_id))
    assert web.read_token(store.settings, token) is not None
    assert web.read_token(store.settings, token, max_age_s=-web.URL_STEP_S - 1) is None
    assert web.URL_MAX_AGE_S <= 30 * 60


def test_a_link_is_bound_to_its_viewer_and_purpose(store, client, teacher, colleague, shown):
    w, _, moment_id, clip_id, name = shown
    assert client.get(_url(store, name, Grant.owner(teacher.id, clip_id))).status_code == 403  # not theirs
    other = make_workshop(store, teacher.id, "Another group")
    assert client.get(_url(store, name, Grant.projector(other.id, moment_id))).status_code == 403
    stranger = Grant.facilitator(colleague.id, w.id, moment_id)  # not the workshop's facilitator
    assert client.get(_url(store, name, stranger)).status_code == 403
    assert (
        client.get(_url(store, name, Grant.facilitator(teacher.id, w.id, moment_id, "plan"))).status_code
        == 200
    )
    assert client.get(_url(store, name, Grant.projector(w.id, moment_id))).status_code == 200
    with pytest.raises(ValueError):
        web.media_token(store.settings, name, Grant("download", person_id=teacher.id))


def test_a_moment_link_plays_only_files_of_that_moments_clip(store, client, teacher, colleague, shown):
    w, _, moment_id, _, _ = shown
    _, other_moment = share_moment(store, colleague.id, w.id, "Snack time", video_file="cut.mp4")
    with store.transaction() as s:
        other_name = s.get(Moment, other_moment).cut_name
    store.clip_path(other_name).parent.mkdir(parents=True, exist_ok=True)
    store.clip_path(other_name).write_bytes(b"\x00" * 64)
    assert client.get(_url(store, other_name, Grant.projector(w.id, moment_id))).status_code == 403


def test_a_signed_name_outside_the_clips_folder_is_not_served(store, client, colleague, shown):
    _, _, _, clip_id, _ = shown
    (store.settings.data_dir / "verp.db").touch()
    escaping = f"{clip_id}/../../verp.db"
    assert client.get(_url(store, escaping, Grant.owner(colleague.id, clip_id))).status_code == 404


def test_a_deleted_file_answers_not_found(store, client, colleague, shown):
    _, _, _, clip_id, _ = shown
    assert (
        client.get(_url(store, f"{clip_id}/gone.mp4", Grant.owner(colleague.id, clip_id))).status_code == 404
    )


def _expire(store, clip_id: str) -> None:
    with store.transaction() as s:
        s.query(Consent).filter(Consent.clip_id == clip_id).update({"delete_by": today()})
        s.query(Clip).filter(Clip.id == clip_id).update({"delete_by": today()})


ENDINGS = {
    "withdrawn by its owner": lambda st, t, c, w, share, m, clip: sharing.withdraw_share(st, c.id, share),
    "removed by the facilitator": lambda st, t, c, w, share, m, clip: workshops.remove_share(
        st, t.id, w.id, share
    ),
    "workshop closed": lambda st, t, c, w, share, m, clip: workshops.close_workshop(st, t.id, w.id),
    "moment deleted": lambda st, t, c, w, share, m, clip: moments.delete_moment(st, c.id, m),
    "clip deleted": lambda st, t, c, w, share, m, clip: clips.delete_clip(st, c.id, clip),
    "past its delete-by date": lambda st, t, c, w, share, m, clip: _expire(st, clip),
}


@pytest.mark.parametrize("ending", list(ENDINGS))
def test_an_open_link_stops_working_the_moment_the_permission_ends(
    store, client, teacher, colleague, shown, ending
):
    w, share_id, moment_id, clip_id, name = shown
    workshops.open_workshop(store, teacher.id, w.id)
    links = [
        _url(store, name, Grant.projector(w.id, moment_id)),
        _url(store, name, Grant.facilitator(teacher.id, w.id, moment_id, "control")),
        _url(store, name, Grant.facilitator(teacher.id, w.id, moment_id, "plan")),
    ]
    assert [client.get(url, headers={"Range": "bytes=0-9"}).status_code for url in links] == [206] * 3
    ENDINGS[ending](store, teacher, colleague, w, share_id, moment_id, clip_id)
    assert all(client.get(url).status_code in (403, 404) for url in links)
    owner_link = _url(store, name, Grant.owner(colleague.id, clip_id))
    owner_keeps = ending in ("withdrawn by its owner", "removed by the facilitator", "workshop closed")
    assert (client.get(owner_link).status_code == 200) is owner_keeps


def test_a_facilitator_whose_role_is_removed_watches_their_workshops_moments_no_more(
    store, client, teacher, colleague, shown
):
    """An administrator removes someone's facilitator role (they left the service's team): the videos
    of their workshops stop playing for them at once, even a link already in their browser."""
    w, _, moment_id, _, name = shown
    workshops.open_workshop(store, teacher.id, w.id)
    links = [
        _url(store, name, Grant.facilitator(teacher.id, w.id, moment_id, p)) for p in ("control", "plan")
    ]
    assert [client.get(url, headers={"Range": "bytes=0-9"}).status_code for url in links] == [206] * 2
    admin = accounts.create_person(store, "Ada Admin", "an administrators passphrase")
    accounts.grant_admin(store, "Ada Admin")
    accounts.set_facilitator(store, admin.id, teacher.id, False)
    assert [client.get(url).status_code for url in links] == [403] * 2


def test_a_projector_link_shows_nothing_once_its_facilitator_loses_the_role(
    store, client, teacher, colleague, shown
):
    """The projector link is the facilitator's: once an administrator removes their role, it neither
    opens the workshop nor plays its moments, even in a projector tab already open."""
    w, _, moment_id, _, name = shown
    workshops.open_workshop(store, teacher.id, w.id)
    token = workshops.present_token(store, teacher.id, w.id)
    projector = _url(store, name, Grant.projector(w.id, moment_id))
    assert client.get(projector, headers={"Range": "bytes=0-9"}).status_code == 206
    assert workshops.workshop_from_present_token(store, token).id == w.id
    admin = accounts.create_person(store, "Ada Admin", "an administrators passphrase")
    accounts.grant_admin(store, "Ada Admin")
    accounts.set_facilitator(store, admin.id, teacher.id, False)
    assert client.get(projector).status_code == 403
    with pytest.raises(VerpError, match="not valid"):
        workshops.workshop_from_present_token(store, token)
