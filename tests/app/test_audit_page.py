from tests.support.apptest import open_app
from verp.core import accounts, audit
from verp.core.config import load_settings
from verp.records.downloads import AUDIT_LOG_CSV, NO_WORKSHOP
from verp.ui import shell
from verp.web_downloads import read_download_token


def _log(store, *events):
    with store.transaction() as s:
        for actor, action, subject in events:
            audit.record(s, actor, action, subject)


def test_an_administrator_sees_the_whole_audit_log_as_a_table(store, teacher):
    _log(store, ("Ana Teacher", "share", "moment 1"), ("retention", "purge", "clip abc"))
    teacher = accounts.grant_admin(store, "Ana Teacher")
    at = open_app("pages/audit.py", person=teacher)
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["Did"]) == ["grant_admin", "purge", "share"]
    assert list(table["Who"]) == ["command line", "retention", "Ana Teacher"]


def test_a_facilitator_sees_only_their_own_actions_and_workshops(store, teacher):
    _log(store, (audit.actor_of(teacher.id), "share", "moment 1"), ("retention", "purge", "clip abc"))
    at = open_app("pages/audit.py", person=teacher)
    assert list(at.dataframe[0].value["Did"]) == ["share"]
    assert not at.toggle  # no roles to change without the administrator role


def test_the_log_downloads_as_csv(store, teacher):
    _log(store, (audit.actor_of(teacher.id), "share", "=cmd|' /C calc'!A0"))
    at = open_app("pages/audit.py", person=teacher)
    [link] = [h.proto.body for h in at.get("html") if 'data-kind="audit-log-csv"' in h.proto.body]
    token = link.split('href="', 1)[1].split('"', 1)[0].rsplit("/", 1)[1]
    assert read_download_token(load_settings(), token) == (teacher.id, NO_WORKSHOP, AUDIT_LOG_CSV)


def test_an_administrator_removes_the_facilitator_role(store, teacher, colleague):
    accounts.set_facilitator(store, teacher.id, colleague.id)
    admin = accounts.grant_admin(store, "Ana Teacher")
    at = open_app("pages/audit.py", person=admin)
    at.toggle(key=f"role_{colleague.id}").set_value(False).run()
    assert not accounts.get_person(store, colleague.id).is_facilitator
    assert audit.recent_events(store)[0].action == "remove_facilitator"


def test_someone_who_is_not_a_facilitator_is_refused(store, teacher, colleague):
    _log(store, ("Ana Teacher", "share", "moment 1"))
    at = open_app("pages/audit.py", person=colleague)
    assert not at.exception
    assert "Only a facilitator" in at.error[0].value
    assert not at.get("arrow_data_frame")


def test_nobody_signed_in_is_asked_to_sign_in(store, teacher):
    at = open_app("pages/audit.py")
    assert not at.get("arrow_data_frame")
    assert "sign in" in at.info[0].value.lower()


def test_the_audit_log_is_in_the_menu_only_for_facilitators(store, teacher, colleague):
    assert "pages/audit.py" in shell.menu(teacher)
    assert "pages/audit.py" not in shell.menu(colleague)
    assert "pages/audit.py" not in shell.menu(None)


def test_the_page_shows_the_newest_entries_and_the_download_has_more(store, teacher):
    mine = audit.actor_of(teacher.id)
    _log(store, *[(mine, "share", f"moment {n}") for n in range(audit.SHOWN_ROWS + 5)])
    at = open_app("pages/audit.py", person=teacher)
    assert len(at.dataframe[0].value) == audit.SHOWN_ROWS
    assert any(f"The newest {audit.SHOWN_ROWS} are here" in c.value for c in at.caption)
    rows = audit.log_download(store, teacher.id).decode("utf-8-sig").splitlines()
    assert len(rows) == 1 + audit.SHOWN_ROWS + 5  # the header, then every entry
