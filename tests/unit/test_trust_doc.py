"""Every promise in docs/trust.md names tests that exist: a renamed or deleted test cannot leave a
promise pointing at nothing."""

from __future__ import annotations

import re

from tests.support.paths import ROOT

REFERENCE = re.compile(r"`((?:tests/[\w/]+\.py)|…)(?:::(\w+))?")


def _promised_tests() -> list[tuple[str, str | None]]:
    text = (ROOT / "docs" / "trust.md").read_text(encoding="utf-8")
    table = text.split("## The promises, and the test that proves each", 1)[1].split("\n## ", 1)[0]
    found, file = [], None
    for row in table.splitlines():
        if not row.startswith("| ") or row.startswith("| promise") or "|---" in row:
            continue
        for path, name in REFERENCE.findall(row.rsplit(" | ", 1)[1]):
            file = file if path == "…" else path  # "…::test" names another test of the file before it
            found.append((file, name or None))
    return found


def test_every_promise_names_tests_that_exist():
    promised = _promised_tests()
    assert len(promised) > 20  # the table was read
    for file, name in promised:
        assert file is not None and (ROOT / file).is_file(), f"{file} does not exist"
        if name:
            source = (ROOT / file).read_text(encoding="utf-8")
            assert re.search(rf"^def {name}\(", source, re.M), f"{file} has no test {name}"
