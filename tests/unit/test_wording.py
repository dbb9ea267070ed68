"""Possibly deficit wording is marked by whole words from an editable list."""

from verp.room.wording import WORDS_FILE, deficit_words, read_words


def test_deficit_words_are_found_as_whole_words_in_any_case():
    assert deficit_words("She SHOULD have waited, but he was kind") == ("should have", "but")
    assert deficit_words("He needs  to slow down") == ("needs to",)
    assert deficit_words("You shouldn’t rush") == ("shouldn't",)


def test_words_inside_other_words_are_not_marked():
    assert deficit_words("A butterfly; wrongly? no: the button, musty, shoulder") == ()
    assert deficit_words("I noticed how she waited and smiled") == ()


def test_the_list_is_an_editable_file_with_comments():
    words = read_words(WORDS_FILE.read_text())
    assert {"should", "shouldn't", "but", "wrong", "needs to"} <= set(words)
    assert read_words("# a comment\n\nOops  # why\n") == ("oops",)
    assert deficit_words("oops, that was odd", ("oops",)) == ("oops",)
    assert deficit_words("anything", ()) == ()
