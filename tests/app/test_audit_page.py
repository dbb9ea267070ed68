from tests.support.apptest import open_app
from verp.core import audit
from verp.ui import shell


def _log(store, *events):
    with store.transaction() as s:
        for actor, action, subject in events:
            audit.record(s, actor, action, subject)


def test_a_facilitator_sees_the_audit_log_as_a_table(store, teacher):
    _log(store, ("Ana Teacher", "share", "moment 1"), ("retention", "purge", "clip abc"))
    at = open_app("pages/audit.py", person=teacher)
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["Did"]) == ["purge", "share"]
    assert list(table["Who"]) == ["retention", "Ana Teacher"]


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
