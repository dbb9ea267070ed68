"""Prompt sets: strengths first, from description to meaning to next steps, checked on load."""

import copy
import tomllib

import pytest

from verp.room.prompts import PROMPTS_FILE, PromptsError, parse_prompts, prompt_book


@pytest.fixture
def data() -> dict:
    with open(PROMPTS_FILE, "rb") as f:
        return tomllib.load(f)


def test_every_shipped_set_starts_with_what_is_working():
    for prompt_set in prompt_book().sets:
        assert prompt_set.phases[0].stage == "description"
    assert prompt_book().get("default").phases[0].prompts == ("What do you notice that is working?",)


def test_area_to_develop_is_asked_only_at_the_owners_step():
    book = prompt_book()
    in_sets = [p for s in book.sets for ph in s.phases for p in ph.prompts]
    assert not any("area to develop" in p.casefold() for p in in_sets)
    assert any("area to develop" in p.casefold() for p in book.owner_prompts)


def test_a_set_that_goes_back_from_meaning_to_description_is_refused(data):
    bad = copy.deepcopy(data)
    bad["set"][0]["phases"].append({"key": "again", "stage": "description", "title": "x", "prompts": ["y?"]})
    with pytest.raises(PromptsError, match="description to meaning"):
        parse_prompts(bad)


def test_a_set_that_asks_the_room_for_faults_is_refused(data):
    bad = copy.deepcopy(data)
    bad["set"][1]["phases"][0]["prompts"] = ["What went wrong here?"]
    with pytest.raises(PromptsError, match="owner's step"):
        parse_prompts(bad)


def test_unknown_stage_and_missing_fields_are_refused(data):
    bad = copy.deepcopy(data)
    bad["set"][0]["phases"][0]["stage"] = "judgement"
    with pytest.raises(PromptsError):
        parse_prompts(bad)
    del data["owner"]
    with pytest.raises(PromptsError, match="missing"):
        parse_prompts(data)


def test_an_unknown_prompt_set_falls_back_to_the_default():
    assert prompt_book().get("no-such-set").key == "default"
