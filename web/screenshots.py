"""Screenshots of the search page's main views at desktop and phone widths, for the README.

    python web/screenshots.py [--url http://127.0.0.1:8000] [--out docs/screenshots]

Without --url it starts a server on loopback over the current index in data/ (stop `veiviser serve`
first: the embedded index storage allows one process). Uses Debian's Chromium (/usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
# name -> (address, element to wait for, element to focus before the picture or None)
VIEWS = {
    "search": ("/?q=individuell+plan", ".result", None),
    "answer": ("/?q=b%C3%B8r+kommunen+tilby+bolig", ".result button.strength", ".result button.strength"),
    "section": ("/dokumenter/pasientforlop-rop-2018?passasje=pasientforlop-rop-2018%2Findividuell-plan-og-"
                "pasientforlopet%2F1#individuell-plan-og-pasientforlopet", ".highlighted", None),
    "abstain": ("/?q=hvordan+baker+jeg+br%C3%B8d", ".abstain .feedback", None),
    "documents": ("/?vis=dokumenter", ".doc-card", None),
    "pathways": ("/?vis=forlop", ".main-pathway", None),
    "pathway": ("/?vis=forlop&target_group=p%C3%A5r%C3%B8rende", ".pathway-results", None),
    "laws": ("/?vis=lover&filter=omsorgstjenesteloven", ".law-group:not([hidden])", None),
    "help": ("/?vis=hjelp", "#styrke", None),
}
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


@contextlib.contextmanager
def local_server():
    from api.app import create_app
    from evaluation.bench_http import LocalServer
    from veiviser.settings import Settings

    # one browser loads every view in a row: more requests than the per-client rate limit lets through
    with LocalServer(create_app(Settings(rate_limit_per_minute=0))) as server:
        yield server.url


def take(url: str, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    saved = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                    args=["--no-sandbox"])
        for size, (width, height) in SIZES.items():
            context = browser.new_context(base_url=url, viewport={"width": width, "height": height},
                                          device_scale_factor=1, locale="nb-NO")
            page = context.new_page()
            for name, (path, ready, focus) in VIEWS.items():
                page.goto(path)
                page.wait_for_selector(ready)
                page.evaluate("() => document.activeElement && document.activeElement.blur()")
                if focus:  # e.g. a strength badge, its explanation shown as on keyboard focus
                    target = page.locator(focus).first
                    target.evaluate("el => el.closest('.result').scrollIntoView({block: 'start'})")
                    target.focus()
                target = out / f"{name}-{size}.png"
                page.screenshot(path=str(target), full_page=False)
                saved.append(target)
            context.close()
        browser.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running Veiviser (default: start one over data/)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    with (contextlib.nullcontext(args.url) if args.url else local_server()) as url:
        for path in take(url, args.out):
            print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
