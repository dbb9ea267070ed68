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


# An element's name as a screen reader would start to read it: its label, its aria-label or its words,
# less the icons (which screen readers skip: aria-hidden).
_NAME = """(e) => {
  const shown = (n) => {
    const c = n.cloneNode(true);
    c.querySelectorAll('[aria-hidden="true"], [data-testid="stIconMaterial"]').forEach(i => i.remove());
    return c.textContent;
  };
  const label = (e.labels?.[0] && shown(e.labels[0])) || e.getAttribute('aria-label') || shown(e);
  return label.replace(/\\s+/g, ' ').trim();
}"""

# The element with the keyboard's focus (inside a component's shadow root too), its name, and whether the
# focus shows (an outline drawn around it).
_FOCUSED = f"""() => {{
  let e = document.activeElement;
  while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;
  if (!e || e === document.body) return null;
  const style = getComputedStyle(e);
  const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  return {{ label: ({_NAME})(e), ring }};
}}"""

# Whether a control named so is on the page yet (in a component's shadow root too). Streamlit fetches the
# code of a kind of widget the first time a page shows one, so a page that has finished its run may draw
# its number boxes a moment later; a keyboard user tabs to what is there.
_CONTROL_SHOWN = f"""([name, contains]) => {{
  const CONTROLS = 'a[href], button, input, select, textarea, summary, video,' +
    ' [tabindex]:not([tabindex="-1"])';
  const roots = [document];
  for (let i = 0; i < roots.length; i++) {{
    for (const e of roots[i].querySelectorAll('*')) {{
      if (e.shadowRoot) roots.push(e.shadowRoot);
      if (!e.matches(CONTROLS)) continue;
      const label = ({_NAME})(e);
      if (contains ? label.includes(name) : label.startsWith(name)) return true;
    }}
  }}
  return false;
}}"""


# The focused element, and whether any of it is inside the window: a menu slid off to the side still takes
# the focus unless it is hidden, and then a keyboard user sees nothing move.
_FOCUS_ON_SCREEN = f"""() => {{
  let e = document.activeElement;
  while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;
  if (!e || e === document.body) return null;
  const r = e.getBoundingClientRect();
  const seen = r.width > 0 && r.height > 0 && r.right > 0 && r.left < window.innerWidth;
  return {{ label: ({_NAME})(e).trim().slice(0, 40), seen }};
}}"""


def focus_stops_off_screen(page, presses: int = 40) -> list[str]:
    """Tab through the page ``presses`` times: the names of the stops a keyboard user could not see."""
    unseen = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUS_ON_SCREEN)
        if focused and not focused["seen"] and focused["label"] not in unseen:
            unseen.append(focused["label"])
    return unseen


def tab_to(page, name: str, *, contains: bool = False, backwards: bool = False, most: int = 90) -> None:
    """Press Tab (Shift+Tab ``backwards``) until the element named ``name`` has the focus, and check
    that the focus shows, as a keyboard user would find it: no clicks, no jumping straight to it.

    ``name`` is how the element's name starts (or, with ``contains``, any part of it)."""
    page.wait_for_function(_CONTROL_SHOWN, arg=[name, contains])
    key, seen = ("Shift+Tab" if backwards else "Tab"), []
    for _ in range(most):
        page.keyboard.press(key)
        focused = page.evaluate(_FOCUSED)
        seen.append(focused and focused["label"][:40])
        if focused and (name in focused["label"] if contains else focused["label"].startswith(name)):
            assert focused["ring"], f"no visible focus on {name!r}"
            return
    raise AssertionError(f"{key} never reached {name!r}; it went through {seen}")
