"""What an AppTest page renders as Markdown: every element body and label except ``st.text``."""

from __future__ import annotations

# A display name (at most 80 characters) holding what the browser's Markdown makes into a link, an icon
# or a picture by itself, once it has read the escapes.
HOSTILE_NAME = "Ann https://e.co www.e.co a@e.co :material_warning: :streamlit: A -> B >= C"


def markdown_strings(at) -> list[str]:
    """Bodies of markdown, headings, captions, alerts; labels of expanders, buttons and widgets."""
    return _walk(at._tree)


def _walk(node) -> list[str]:
    found = []
    proto = getattr(node, "proto", None)
    # st.text is never Markdown, and st.html is HTML (the pages escape what people typed in it as HTML:
    # ``tests/app/test_summary_page.py`` checks My progress's list of workshops).
    if proto is not None and getattr(node, "type", "") not in ("text", "html"):
        for field in ("body", "label", "help", "placeholder"):
            value = getattr(proto, field, None)
            if isinstance(value, str) and value:
                found.append(value)
        expandable = getattr(proto, "expandable", None)
        if expandable is not None and getattr(expandable, "label", ""):
            found.append(expandable.label)
        tab = getattr(proto, "tab", None)
        if tab is not None and getattr(tab, "label", ""):
            found.append(tab.label)
    for child in getattr(node, "children", {}).values():
        found += _walk(child)
    return found
