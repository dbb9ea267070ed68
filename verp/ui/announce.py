"""Status changes (sent, saved, shared) said aloud by screen readers, as well as shown.

Streamlit draws a success message as a new element, which many screen readers do not announce. A polite
live region that stays in the page across reruns does: a small ``st.components.v2`` script keeps one in
``document.body`` and writes each new message into it.
"""

from __future__ import annotations

import re
import uuid

import streamlit as st

_ANNOUNCER_JS = """
export default function (component) {
  const { data } = component;
  let region = document.getElementById("verp-announcer");
  if (!region) {
    region = document.createElement("div");
    region.id = "verp-announcer";
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    region.setAttribute("aria-atomic", "true");
    region.style.cssText = "position:absolute;width:1px;height:1px;margin:-1px;padding:0;border:0;" +
      "overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap";
    document.body.appendChild(region);
  }
  if (data && data.id && region.dataset.said !== data.id) {
    region.dataset.said = data.id;
    region.textContent = "";
    // A fresh text node a moment later is announced even when the words are the same as last time.
    setTimeout(() => { region.textContent = data.text; }, 150);
  }
}
"""

_announcer = st.components.v2.component("verp_announcer", js=_ANNOUNCER_JS)


def plain_words(text: str) -> str:
    """A message as a listener should hear it: without the backslashes that keep typed text out of
    Markdown."""
    return re.sub(r"\\(.)", r"\1", text)


def say(text: str) -> None:
    """Announce ``text`` once to screen readers (politely: after what they are reading). Once per run."""
    with st.container(key="announcer_box"):  # hidden by the app's CSS: the region lives in the body
        _announcer(key="announcer", data={"text": plain_words(text), "id": uuid.uuid4().hex})
