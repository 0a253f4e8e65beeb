"""Helpers for the browser tests: Chromium settings, signing in, screenshots, layout and axe-core checks.

The fixtures that use these live in `conftest.py` beside this file."""

import json
import os
import re
from pathlib import Path

from django.conf import settings

# Debian's Chromium (`make browser`): Playwright cannot download its own browser here.
CHROMIUM = Path(os.environ.get("SCHOOLDESK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",  # containers and CI runners have no user namespaces for Chromium's sandbox
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}

SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
AXE_JS = Path(settings.BASE_DIR) / "schooldesk" / "static" / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = ("serious", "critical")
REFERENCE = re.compile(r"INC-\d{6}")


def sign_in(page, user, password: str) -> None:
    """Sign in through the real login form, as a person would, and land on the home page."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text().startswith("Hello"), f"{user.username} did not reach the home page"


def screenshot(page, name: str) -> Path:
    """A full-page screenshot in test-artifacts/screenshots/ (git-ignored), for people to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def horizontal_overflow(page) -> dict:
    """How far the page is wider than the screen; `overflow` <= 1 means no sideways scrolling.

    Measured against the layout viewport (documentElement.clientWidth) as well as window.innerWidth:
    on a phone (is_mobile) Chromium widens innerWidth to fit content that is too wide, so
    `scrollWidth <= innerWidth` alone would never fail there."""
    sizes = page.evaluate(
        """() => {
            const width = Math.min(window.innerWidth, document.documentElement.clientWidth);
            const wide = [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > width + 1);
            return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
                    clientWidth: document.documentElement.clientWidth,
                    widest: wide.slice(-3).map(e => e.outerHTML.slice(0, 120))};
        }"""
    )
    screen = min(sizes["innerWidth"], sizes["clientWidth"], page.viewport_size["width"])
    sizes["overflow"] = sizes["scrollWidth"] - screen
    return sizes


def assert_assets_loaded(page) -> None:
    """The vendor CSS and JavaScript really arrived from the live server's static files."""
    loaded = page.evaluate(
        "() => ({htmx: typeof window.htmx !== 'undefined', bootstrap: typeof window.bootstrap !== 'undefined',"
        " css: getComputedStyle(document.querySelector('.navbar')).display === 'flex'})"
    )
    assert loaded == {"htmx": True, "bootstrap": True, "css": True}, f"static files did not load: {loaded}"


def load_axe(page) -> None:
    """axe-core into the page from the desk's own static files: the Content-Security-Policy refuses the inline
    script that add_script_tag(path=…) would write, as it would any other."""
    assert AXE_JS.exists(), f"{AXE_JS} is missing: `make setup` copies it from the npm package axe-core"
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=f"{settings.STATIC_URL}vendor/axe.min.js")


def axe_violations(page, impacts=BLOCKING_IMPACTS) -> list[dict]:
    """Run axe-core (from static/vendor, copied at setup) on the page as it is now."""
    load_axe(page)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [v for v in result["violations"] if v["impact"] in impacts]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = [json.dumps(node["target"]) for node in v["nodes"][:3]]
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} elements) e.g. {', '.join(targets)}")
        if v["nodes"]:
            lines.append(f"    {v['nodes'][0].get('failureSummary', '').replace(chr(10), ' ')[:300]}")
    return "\n".join(lines)


def focused(page) -> dict:
    """What has the keyboard focus: tag, id, name, text."""
    return page.evaluate(
        "() => { const e = document.activeElement; return {tag: e.tagName.toLowerCase(), id: e.id,"
        " name: e.getAttribute('name'), text: (e.innerText || e.value || '').trim().slice(0, 80),"
        " type: e.getAttribute('type')}; }"
    )


def tab_to(page, predicate, *, limit: int = 60, backwards: bool = False) -> dict:
    """Press Tab (or Shift+Tab) until the focused element matches `predicate(focused)`."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        now = focused(page)
        if predicate(now):
            return now
        seen.append(now.get("name") or now.get("id") or now.get("text"))
    raise AssertionError(f"keyboard focus never reached the target; it went through {seen}")


def nav_to(page, menu: str | None, link: str) -> None:
    """Follow the main navigation: open `menu` (a dropdown), if any, then the link."""
    nav = page.get_by_role("navigation", name="Main")
    toggler = page.get_by_role("button", name="Show menu")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") == "false":
        toggler.click()
    if menu:
        nav.get_by_role("button", name=menu, exact=True).click()
    nav.get_by_role("link", name=link, exact=True).click()
