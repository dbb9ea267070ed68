import copy
import tomllib

import pytest

from verp.room.principles import PRINCIPLES_FILE, PrinciplesError, catalogue, parse_catalogue


def test_the_six_principles_load_in_order_with_behaviours():
    principles = catalogue().principles
    assert [p.name for p in principles] == [
        "Being attentive",
        "Encouraging initiatives",
        "Receiving initiatives",
        "Developing attuned interactions",
        "Guiding",
        "Deepening discussion",
    ]
    assert all(len(p.behaviours) >= 3 for p in principles)
    assert [s.key for s in catalogue().chain] == ["initiative", "reception", "response"]


@pytest.mark.parametrize("breakage", ["swap_numbers", "duplicate_key", "no_behaviours", "drop_field"])
def test_malformed_principles_data_is_refused(breakage):
    data = tomllib.loads(PRINCIPLES_FILE.read_text())
    broken = copy.deepcopy(data)
    first, second = broken["principle"][0], broken["principle"][1]
    if breakage == "swap_numbers":
        first["number"], second["number"] = 2, 1
    elif breakage == "duplicate_key":
        second["key"] = first["key"]
    elif breakage == "no_behaviours":
        first["behaviours"] = []
    else:
        del first["summary"]
    with pytest.raises(PrinciplesError):
        parse_catalogue(broken)


def test_the_behaviours_guiders_look_for_are_all_there():
    from verp.room.principles import catalogue

    seen = " | ".join(b.casefold() for p in catalogue().principles for b in p.behaviours)
    for words in (
        "having fun",
        "second turn on the same topic",
        "saying what you are doing",
        "suggestions the other person can follow",
        "intentions behind words",
    ):
        assert words in seen
