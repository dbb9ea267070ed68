"""The one family of errors the app words for people: every refusal or problem a page shows is a
:class:`VerpError`, so a page catches that one class and shows ``str(error)`` as plain text.
"""

from __future__ import annotations


class VerpError(Exception):
    """A problem or refusal, worded for the person at the screen."""


class NotYours(VerpError):
    """Something that belongs to someone else. Its message reads exactly like "not found", so asking
    never tells anyone that another person's clip, moment or workshop exists."""
