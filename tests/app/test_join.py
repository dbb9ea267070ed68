"""Join page: no account; join by code (or ?code=), send a reflection, change or take it back."""

from tests.support.apptest import open_page, open_section
from tests.support.workshop import go_to_index, make_workshop, share_moment
from verp.core.models import Reflection
from verp.review import sharing
from verp.ui.join import CHANGE_KEY, JOINED_KEY, WHICH_KEY
from verp.workshop import reflections, workshops


def live(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    share_moment(store, colleague.id, w.id, "Circle time")
    w = workshops.open_workshop(store, teacher.id, w.id)
    go_to_index(store, teacher.id, w.id, 5)  # the group's first prompt about Circle time
    return w


def joined_page(store, w):
    at = open_page("join", query={"code": w.join_code})
    assert at.text_input[0].value == w.join_code  # filled in from the QR code's address
    at.text_input[1].set_value("Cara")
    at.button[0].click().run()
    return at


def test_a_phone_joins_by_the_qr_code_and_sees_the_prompt_on_screen(store, teacher, colleague):
    w = live(store, teacher, colleague)
    at = joined_page(store, w)
    texts = [t.value for t in at.text]
    assert "You are in as Cara." in texts
    assert "Circle time" in texts and "What do you notice that is working?" in texts


def test_a_wrong_code_gets_a_plain_message(store, teacher):
    at = open_page("join")
    at.text_input[0].set_value("NOPE99")
    at.button[0].click().run()
    assert "does not open a workshop" in at.error[0].value
    assert JOINED_KEY not in at.session_state


def test_sending_a_reflection_stores_it_once_and_says_sent(store, teacher, colleague):
    w = live(store, teacher, colleague)
    at = joined_page(store, w)
    at.text_area[0].set_value("# She *waited*")
    at.selectbox[0].set_value("attentive")
    at.button[[b.label for b in at.button].index("Send")].click().run()
    assert at.success[0].value == "Sent. Thank you."
    with store.transaction() as s:
        rows = s.query(Reflection).all()
        assert [(r.text, r.principle_key, r.author_name) for r in rows] == [
            ("# She *waited*", "attentive", "Cara")
        ]
    assert "# She *waited*\n— on the wall" in [t.value for t in at.text]  # as text, never Markdown


def test_a_reflection_can_be_changed_and_taken_back(store, teacher, colleague):
    w = live(store, teacher, colleague)
    at = joined_page(store, w)
    joined = at.session_state[JOINED_KEY]
    sent = reflections.submit_reflection(store, w.id, joined.token, "first words")
    at.run()
    assert f"edit_{sent.id}" not in [t.key for t in at.text_area]  # drawn only once opened
    open_section(at, CHANGE_KEY)
    at.text_area(key=f"edit_{sent.id}").set_value("better words")
    at.button(key=f"save_{sent.id}").click().run()
    mine = reflections.my_reflections(store, w.id, joined.token)
    assert [m.text for m in mine] == ["better words"]
    assert at.selectbox(key=WHICH_KEY).value == mine[0].id  # the new wording, still open to change
    at.button(key=f"withdraw_{mine[0].id}").click().run()
    assert reflections.my_reflections(store, w.id, joined.token) == []
    assert not any(e.proto.id.endswith(f"-{CHANGE_KEY}") for e in at.expander)  # nothing left to change


def test_one_place_to_change_any_reflection_sent_each_named_by_its_words(store, teacher, colleague):
    w = live(store, teacher, colleague)
    at = joined_page(store, w)
    joined = at.session_state[JOINED_KEY]
    sent = [reflections.submit_reflection(store, w.id, joined.token, f"Noticed {n}") for n in range(5)]
    at.run()
    changes = [e for e in at.expander if "Change or take back" in e.label]
    assert len(changes) == 1  # one, not one beside each (each heard alike by a screen reader)
    open_section(at, CHANGE_KEY)
    which = at.selectbox(key=WHICH_KEY)
    assert which.options[0] == "Noticed 4 (on the wall)" and len(which.options) == 5  # earlier ones too
    which.set_value(sent[0].id).run()
    at.button(key=f"withdraw_{sent[0].id}").click().run()
    assert [m.text for m in reflections.my_reflections(store, w.id, joined.token)][-1] == "Noticed 1"


def test_a_closed_workshop_gives_a_plain_message(store, teacher, colleague):
    w = live(store, teacher, colleague)
    at = joined_page(store, w)
    workshops.close_workshop(store, teacher.id, w.id)
    at.run()
    assert "has closed" in at.info[0].value
    assert "Send" not in [b.label for b in at.button]


def test_a_planned_workshop_says_it_has_not_started_yet(store, teacher):
    w = make_workshop(store, teacher.id)
    at = open_page("join", query={"code": w.join_code})
    at.button[0].click().run()
    assert "has not started yet" in at.error[0].value
    assert JOINED_KEY not in at.session_state


def test_wrong_codes_on_one_phone_do_not_lock_out_the_next_phone(store, teacher, colleague, monkeypatch):
    """Behind the trusted loopback proxy each phone is known by its forwarded address, whatever tab."""
    import streamlit as st

    phone = {"X-Forwarded-For": "198.51.100.66"}
    monkeypatch.setattr(type(st.context), "ip_address", property(lambda self: None))  # the proxy
    monkeypatch.setattr(type(st.context), "headers", property(lambda self: phone))
    w = live(store, teacher, colleague)
    at = open_page("join")
    for n in range(reflections.MAX_JOIN_FAILURES):
        at.text_input[0].set_value(f"NOPE{n:02d}")
        at.button[0].click().run()
    at.text_input[0].set_value(w.join_code)
    at.button[0].click().run()
    assert "Too many" in at.error[0].value
    assert "Too many" in open_page("join", query={"code": w.join_code}).button[0].click().run().error[0].value
    phone["X-Forwarded-For"] = "198.51.100.7"  # another phone in the room
    assert JOINED_KEY in joined_page(store, w).session_state


def test_a_sentence_starter_begins_the_reflection_and_keeps_what_was_typed(store, teacher, colleague):
    w = live(store, teacher, colleague)
    at = joined_page(store, w)
    starters = [b for b in at.button if b.key and b.key.startswith("starter_")]
    assert [b.label for b in starters] == ["I noticed…", "It worked when…", "I wonder…"]
    at.button(key="starter_1").click().run()
    assert at.text_area[0].value == "It worked when "
    at.text_area[0].set_value("she waited")  # typed, then a starter before the words
    at.button(key="starter_0").click().run()
    assert at.text_area[0].value == "I noticed she waited"
    assert not at.exception
    with store.transaction() as s:
        assert s.query(Reflection).count() == 0  # a starter sends nothing
    at.text_area[0].set_value("It worked when she waited")
    at.button[[b.label for b in at.button].index("Send")].click().run()
    with store.transaction() as s:
        assert [r.text for r in s.query(Reflection)] == ["It worked when she waited"]


def test_the_newest_three_sent_are_listed_and_the_earlier_ones_on_request(store, teacher, colleague):
    w = live(store, teacher, colleague)
    at = joined_page(store, w)
    joined = at.session_state[JOINED_KEY]
    for n in range(5):
        reflections.submit_reflection(store, w.id, joined.token, f"Noticed {n}")
    at.run()
    listed = lambda: [t.value.split("\n")[0] for t in at.text if t.value.startswith("Noticed")]  # noqa: E731
    assert listed() == ["Noticed 4", "Noticed 3", "Noticed 2"]
    at.toggle(key="show_earlier_sent").set_value(True).run()
    assert listed() == ["Noticed 4", "Noticed 3", "Noticed 2", "Noticed 1", "Noticed 0"]


def test_a_change_being_typed_stays_in_sight_when_a_newer_one_is_sent(store, teacher, colleague):
    """A phone sends again (another tab, or a quick second thought) while changing an older one: the
    change form it has open stays where it is, and keeps what was typed."""
    w = live(store, teacher, colleague)
    at = joined_page(store, w)
    joined = at.session_state[JOINED_KEY]
    sent = [reflections.submit_reflection(store, w.id, joined.token, f"Noticed {n}") for n in range(3)]
    at.run()
    open_section(at, CHANGE_KEY)
    at.selectbox(key=WHICH_KEY).set_value(sent[0].id).run()
    at.text_area(key=f"edit_{sent[0].id}").set_value("Noticed 0, and better put")
    reflections.submit_reflection(store, w.id, joined.token, "Noticed 3")  # the oldest is now an earlier one
    at.run()
    assert at.text_area(key=f"edit_{sent[0].id}").value == "Noticed 0, and better put"
    at.button(key=f"save_{sent[0].id}").click().run()
    mine = reflections.my_reflections(store, w.id, joined.token)
    assert "Noticed 0, and better put" in [m.text for m in mine]


def _click(at, label_start: str) -> None:
    [button] = [b for b in at.button if b.label.startswith(label_start)]
    button.click().run()


def _in_as(at) -> list[str]:
    return [t.value for t in at.text if t.value.startswith("You are in as")]


def _connected_with_caras_place(store, teacher, colleague, monkeypatch):
    """A tab whose browser kept Cara's place (her cookie), connecting after a restart or a reload."""
    w = live(store, teacher, colleague)
    cara = reflections.join_by_code(store, w.join_code, "Cara")
    monkeypatch.setattr("verp.ui.join._kept_here", lambda: reflections.kept(cara))
    return w, cara, open_page("join", query={"code": w.join_code})


def test_a_tab_connecting_with_its_browsers_kept_place_is_back_in_the_room(
    store, teacher, colleague, monkeypatch
):
    w, cara, at = _connected_with_caras_place(store, teacher, colleague, monkeypatch)
    assert _in_as(at) == ["You are in as Cara."] and at.session_state[JOINED_KEY] == cara
    workshops.close_workshop(store, teacher.id, w.id)
    at = open_page("join")  # a kept place opens nothing once the room has closed
    assert _in_as(at) == [] and JOINED_KEY not in at.session_state


def test_once_a_tab_has_left_a_place_it_never_takes_its_kept_place_again(
    store, teacher, colleague, monkeypatch
):
    """A shared laptop: "Not Cara?", Dan joins, "Not Dan?" — the next person starts afresh, not as Cara."""
    _, _, at = _connected_with_caras_place(store, teacher, colleague, monkeypatch)
    _click(at, "Not Cara")
    at.text_input[1].set_value("Dan")
    at.button[0].click().run()
    assert _in_as(at) == ["You are in as Dan."]
    _click(at, "Not Dan")
    assert _in_as(at) == [] and JOINED_KEY not in at.session_state


def test_words_written_while_a_moment_was_taken_out_are_sent_only_after_a_second_look(
    store, teacher, colleague
):
    """The owner takes Circle time out (to leave a child out) while Cara writes about it: her words do
    not go up under whatever step comes next; she is told, keeps them, and sends again if she means to."""
    w = make_workshop(store, teacher.id)
    share_id, _ = share_moment(store, colleague.id, w.id, "Circle time")
    share_moment(store, teacher.id, w.id, "Snack time", position=1)
    w = workshops.open_workshop(store, teacher.id, w.id)
    go_to_index(store, teacher.id, w.id, 5)  # the group's first prompt about Circle time
    at = joined_page(store, w)
    assert "Circle time" in [t.value for t in at.text]
    at.text_area[0].set_value("The boy in red looked scared")
    sharing.withdraw_share(store, colleague.id, share_id)
    send = [b.label for b in at.button].index("Send")
    at.button[send].click().run()
    assert "taken out of the workshop" in at.error[0].value
    assert at.text_area[0].value == "The boy in red looked scared"
    with store.transaction() as s:
        assert s.query(Reflection).count() == 0
    at.button[[b.label for b in at.button].index("Send")].click().run()
    assert at.success[0].value == "Sent. Thank you."
    with store.transaction() as s:
        assert [r.moment_title for r in s.query(Reflection)] != ["Circle time"]


def _send(at, text: str) -> None:
    at.text_area[0].set_value(text)
    at.button[[b.label for b in at.button].index("Send")].click().run()


def test_a_send_empties_the_form_and_a_refused_send_keeps_every_choice(store, teacher, colleague):
    w = live(store, teacher, colleague)
    at = joined_page(store, w)
    at.selectbox[0].set_value("attentive")
    at.radio[0].set_value("wondering")
    _send(at, "   ")  # nothing written: refused, nothing lost
    assert at.error[0].value == "Please write something first."
    assert (at.selectbox[0].value, at.radio[0].value) == ("attentive", "wondering")
    _send(at, "She waited")
    assert at.success[0].value == "Sent. Thank you."
    assert (at.text_area[0].value, at.selectbox[0].value, at.radio[0].value) == ("", "", "noticed")
    _send(at, "He smiled back")  # the emptied form sends the next one as a new reflection
    with store.transaction() as s:
        stored = sorted((r.text, r.kind) for r in s.query(Reflection))
    assert stored == [("He smiled back", "noticed"), ("She waited", "wondering")]


def test_someone_else_joining_in_the_tab_finds_an_empty_form(store, teacher, colleague):
    w = live(store, teacher, colleague)
    at = joined_page(store, w)
    at.text_area[0].set_value("Cara's half-written words")
    at.button[[b.label for b in at.button].index("Not Cara? Join with another name")].click().run()
    at.text_input[1].set_value("Dev")
    at.button[0].click().run()
    assert "You are in as Dev." in [t.value for t in at.text]
    assert at.text_area[0].value == ""


def test_a_second_press_of_send_with_the_words_still_in_the_browser_stores_them_once(
    store, teacher, colleague
):
    """The browser may not yet have drawn the emptied form when Send is pressed again."""
    w = live(store, teacher, colleague)
    at = joined_page(store, w)
    _send(at, "She waited")
    _send(at, "She waited")  # the same words, pressed again
    assert at.success[0].value == "Sent. Thank you." and not at.error
    _send(at, "He smiled back")
    with store.transaction() as s:
        assert sorted(r.text for r in s.query(Reflection)) == ["He smiled back", "She waited"]


def test_a_starter_tapped_before_the_browser_emptied_the_form_does_not_bring_the_sent_words_back(
    store, teacher, colleague
):
    """The browser may still show the words just sent when a starter is tapped: the starter begins a new
    reflection, not a second copy of the sent one."""
    w = live(store, teacher, colleague)
    at = joined_page(store, w)
    _send(at, "She waited")
    at.text_area[0].set_value("She waited")  # what the browser still showed
    at.button(key="starter_0").click().run()
    assert at.text_area[0].value == "I noticed "
