"""Present page: the projector — signed link only, no sidebar, nothing private, follows Control."""

from streamlit.testing.v1 import AppTest

from tests.support.apptest import component_data, open_page
from tests.support.workshop import add_helping_question, go_to_index, make_workshop, share_moment
from verp.review import captions, sharing
from verp.workshop import reflections, room_signal, workshops


def present(store, teacher, w):
    return open_page("present", query={"w": workshops.present_token(store, teacher.id, w.id)})


def html_of(at: AppTest) -> str:
    return "\n".join(h.proto.body for h in at.get("html"))


def all_text(at: AppTest) -> str:
    """Every piece of text the page drew, whatever element carried it."""
    parts = [h.proto.body for h in at.get("html")]
    for kind in ("markdown", "text", "caption", "title", "header", "subheader", "info", "warning", "error"):
        parts += [str(e.value) for e in at.get(kind)]
    return "\n".join(parts)


def setup(store, teacher, colleague, note_shared=False):
    w = make_workshop(store, teacher.id, "Autumn group")
    share_moment(
        store,
        colleague.id,
        w.id,
        "Circle time",
        note="private worry",
        share_note=note_shared,
        video_file="cut.mp4",
    )
    video = workshops.shown_moments(store, w.id)[0].cut
    video.parent.mkdir(parents=True, exist_ok=True)
    video.write_bytes(b"\x00" * 64)  # the page only passes the file to st.video
    return workshops.open_workshop(store, teacher.id, w.id)


def test_a_bad_or_missing_link_shows_nothing_of_the_workshop(store, teacher, colleague):
    setup(store, teacher, colleague)
    at = open_page("present", query={"w": "forged"})
    assert "not valid" in at.header[0].value
    assert "Autumn" not in all_text(at) and "Circle time" not in all_text(at)


def test_a_closed_workshop_is_refused_on_the_projector(store, teacher, colleague):
    w = setup(store, teacher, colleague)
    token = workshops.present_token(store, teacher.id, w.id)
    workshops.close_workshop(store, teacher.id, w.id)
    at = open_page("present", query={"w": token})
    assert "has closed" in at.header[0].value


def test_welcome_shows_the_code_and_hides_the_sidebar(store, teacher, colleague):
    w = setup(store, teacher, colleague)
    at = present(store, teacher, w)
    page = html_of(at)
    assert w.join_code in page and "Autumn group" in page
    assert '[data-testid="stSidebar"]' in page and "display: none" in page
    [qr] = at.get("image")[0].proto.imgs  # the QR code: a drawing in the page, not a file kept to fetch
    assert qr.url.startswith("data:image/svg+xml;base64,")
    assert not at.button and not at.text_input and not at.text_area


def test_the_moment_plays_looped_without_the_private_note(store, teacher, colleague):
    w = setup(store, teacher, colleague)
    go_to_index(store, teacher.id, w.id, 3)
    at = present(store, teacher, w)
    video = at.get("video")[0].proto
    assert video.loop and video.end_time == 10
    assert video.autoplay and video.muted  # a projector nobody clicks only starts a muted video
    page = all_text(at)
    assert "Circle time" in page and "private worry" not in page


def test_the_owners_note_shows_on_the_moment_when_they_shared_it(store, teacher, colleague):
    w = setup(store, teacher, colleague, note_shared=True)
    go_to_index(store, teacher.id, w.id, 3)
    assert "private worry" in all_text(present(store, teacher, w))


def test_a_withdrawn_moment_leaves_the_projector_at_once(store, teacher, colleague):
    w = setup(store, teacher, colleague)
    w = go_to_index(store, teacher.id, w.id, 3)  # welcome, principles, Ben's context, his moment
    at = present(store, teacher, w)
    assert "Circle time" in all_text(at)
    drawn = room_signal.room_signal(store, w.id)
    share_id = workshops.shown_moments(store, w.id)[0].share_id
    sharing.withdraw_share(store, colleague.id, share_id)
    assert room_signal.room_signal(store, w.id).news_for(drawn, ("wall",))  # it redraws
    at.run()
    assert "Circle time" not in all_text(at)


def test_approved_reflections_show_escaped_and_grouped(store, teacher, colleague):
    w = setup(store, teacher, colleague)
    go_to_index(store, teacher.id, w.id, 5)  # the group's first prompt, after the owner's own words
    joined = reflections.join_by_code(store, w.join_code, "Cara")
    reflections.submit_reflection(store, w.id, joined.token, "<script>x</script> kind", "attentive")
    page = html_of(present(store, teacher, w))
    assert "&lt;script&gt;x&lt;/script&gt; kind" in page and "<script>x" not in page
    assert "Being attentive" in page


def test_a_helping_question_appears_only_when_shared(store, teacher, colleague):
    add_helping_question(store, colleague.id, "How can I wait longer?", shared=True)
    w = setup(store, teacher, colleague)
    go_to_index(store, teacher.id, w.id, 2)
    assert "How can I wait longer?" in all_text(present(store, teacher, w))


def test_a_private_helping_question_never_reaches_the_projector(store, teacher, colleague):
    add_helping_question(store, colleague.id, "How can I wait longer?", shared=False)
    w = setup(store, teacher, colleague)
    for index in range(len(workshops.steps(store, w.id))):
        go_to_index(store, teacher.id, w.id, index)
        assert "How can I wait longer?" not in all_text(present(store, teacher, w))


def test_the_projector_is_told_to_redraw_when_control_moves_or_the_wall_changes(store, teacher, colleague):
    w = setup(store, teacher, colleague)
    drawn = room_signal.room_signal(store, w.id)
    assert not room_signal.room_signal(store, w.id).news_for(drawn, ("wall",))
    workshops.step_by(store, teacher.id, w.id, 1)
    moved = room_signal.room_signal(store, w.id)
    assert moved.news_for(drawn, ("wall",))
    joined = reflections.join_by_code(store, w.join_code, "Cara")
    reflections.submit_reflection(store, w.id, joined.token, "She waited")  # straight to the wall
    assert room_signal.room_signal(store, w.id).news_for(moved, ("wall",))
    workshops.close_workshop(store, teacher.id, w.id)
    assert room_signal.room_signal(store, w.id).closed


def test_the_projector_draws_its_follower_with_the_step_and_the_rooms_state(store, teacher, colleague):
    w = setup(store, teacher, colleague)
    w = go_to_index(store, teacher.id, w.id, 1)
    follower = component_data(present(store, teacher, w), "room_follow")
    assert follower["drawn"]["v"] == w.state_version and follower["watch"] == ["wall"]
    assert follower["url"].startswith("/api/room/")
    assert follower["prefix"].startswith("Principles of attuned interaction")
    assert follower["keys"]  # it hears a clicker's keys too: one component for both


def test_the_close_shows_next_steps_and_the_deletion_reminder(store, teacher, colleague):
    w = setup(store, teacher, colleague)
    reflections.record_next_step(store, teacher.id, w.id, colleague.id, "Ben Colleague", "Wait longer")
    go_to_index(store, teacher.id, w.id, 99)
    page = html_of(present(store, teacher, w))
    assert "Ben Colleague: Wait longer" in page and "deleted" in page


def test_the_refresher_shows_every_principle_when_no_focus_was_chosen(store, teacher, colleague):
    w = workshops.open_workshop(store, teacher.id, make_workshop(store, teacher.id, focus=[]).id)
    go_to_index(store, teacher.id, w.id, 1)
    at = present(store, teacher, w)
    assert len([h for h in at.subheader if h.value[0].isdigit()]) == 6


HOSTILE = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "[click](https://evil.example) ![img](https://evil.example/a.png)",
    "**bold** # heading `code`",
    "\u202eright-to-left override\u202c and عربى",
]


def test_hostile_reflections_reach_the_wall_only_as_plain_text(store, teacher, colleague):
    w = setup(store, teacher, colleague)
    go_to_index(store, teacher.id, w.id, 5)  # a prompt of the moment, with its wall beside
    joined = reflections.join_by_code(store, w.join_code, "Cara")
    for text in HOSTILE:
        reflections.submit_reflection(store, w.id, joined.token, text)
    at = present(store, teacher, w)
    html = html_of(at)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "[click](https://evil.example)" in html  # shown as typed, never made a link
    assert not [m for m in at.markdown if "evil.example" in m.value]


def test_the_screen_draws_its_players_again_before_their_links_run_out():
    from verp.ui.room_follow import _JS
    from verp.web import RENEW_AFTER_S, URL_MAX_AGE_S

    assert RENEW_AFTER_S < URL_MAX_AGE_S  # the follower asks for a redraw after RENEW_AFTER_S
    assert 'ask("renew")' in _JS and "data.renew_ms" in _JS


def test_the_owners_captions_show_under_the_moment_until_control_turns_them_off(store, teacher, colleague):
    w = setup(store, teacher, colleague)
    moment_id = workshops.shown_moments(store, w.id)[0].moment_id
    captions.set_captions(store, colleague.id, moment_id, "0 1.5 Shall we read it?")
    go_to_index(store, teacher.id, w.id, 3)
    tracks = present(store, teacher, w).get("video")[0].proto.subtitles
    assert [t.label for t in tracks] == ["Captions"]  # on by default

    control = open_page("control", teacher.id)
    control.button(key="pb_captions").click().run()
    assert not workshops.playback(workshops.get_workshop(store, w.id)).captions
    assert control.button(key="pb_captions").label == "Captions on"
    assert not present(store, teacher, w).get("video")[0].proto.subtitles
