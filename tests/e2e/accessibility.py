"""Shared pieces of the accessibility browser tests: the axe-core run and the rules the app cannot fix.

axe-core comes bundled inside ``axe-playwright-python`` (no download at test time). Each page is checked
against WCAG 2.0, 2.1 and 2.2 A and AA; a violation of impact "serious" or "critical" fails the test,
unless its rule is listed in ``STREAMLIT_OWN_MARKUP`` with the reason the app cannot change it. The same
list is in docs/accessibility.md, and a unit test keeps the two in step.
"""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING_IMPACTS = {"serious", "critical"}

# Rules broken by markup Streamlit itself draws, which a page cannot change; each with its reason.
STREAMLIT_OWN_MARKUP: dict[str, str] = {}

_AXE = Axe()


def wait_for_style(page) -> None:
    """The app's stylesheet arrives with the first run; judge colours only once it is in."""
    page.wait_for_function(
        "() => getComputedStyle(document.documentElement).getPropertyValue('--verp-style').trim()"
    )


def serious_violations(page) -> list[dict]:
    """Serious and critical WCAG A/AA violations on the page as drawn now, less the listed rules."""
    wait_for_style(page)
    options = {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}
    results = _AXE.run(page, options=options)
    return [
        v
        for v in results.response["violations"]
        if v["impact"] in FAILING_IMPACTS and v["id"] not in STREAMLIT_OWN_MARKUP
    ]


def describe(where: str, violations: list[dict]) -> list[str]:
    """One readable line per violation and element, to put in a failure message."""
    lines = []
    for v in violations:
        for node in v["nodes"][:5]:
            checks = node.get("any", []) + node.get("all", []) + node.get("none", [])
            why = "; ".join(c["message"] for c in checks if c.get("message"))
            lines.append(f"{where}: {v['id']} ({v['impact']}) {node['html'][:160]} — {why}")
    return lines
