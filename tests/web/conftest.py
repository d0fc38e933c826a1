"""Browser tests: Debian's Chromium driven by Playwright against a real uvicorn server on loopback.

The server serves the session's real index (the `engine` fixture) and the page from `web/`.
Chromium comes from Debian (`make test` installs it); Playwright's own browser download is not used.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"

playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]' installs Playwright")

if not Path(CHROMIUM).exists():
    pytest.skip("Chromium is missing: `make test` installs it (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="session")
def web_server(settings, engine):
    from api.app import create_app
    from evaluation.bench_http import LocalServer

    web_settings = settings.model_copy(update={"rate_limit_per_minute": 0})
    with LocalServer(create_app(web_settings, engine=engine)) as server:
        yield server.url


@pytest.fixture(scope="session")
def browser():
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


class PageProblems(list):
    """Console errors, uncaught exceptions and CSP violations seen by a page."""


@pytest.fixture
def page(browser, web_server):
    context = browser.new_context(base_url=web_server, viewport={"width": 1280, "height": 900}, locale="nb-NO")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=web_server)
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems = PageProblems()
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.problems = problems
    yield page
    context.close()
    assert not problems, problems


def open_page(page, path: str):
    """Go to `path` and wait until the app has rendered its first view."""
    page.goto(path)
    page.wait_for_selector("html[data-ready='true']")
    return page


def axe_violations(page) -> list[dict]:
    """Run axe-core (vendored, WCAG 2.0/2.1 A and AA rules) on the page; serious and critical violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # evaluated over the DevTools protocol, so the page's CSP (no inline scripts) does not apply to it
        page.evaluate(AXE.read_text("utf-8") + "\n;0")
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
