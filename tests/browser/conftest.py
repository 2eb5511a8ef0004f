"""Real Chromium (Debian's package, driven by Playwright) against Missiva served on loopback."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from ..smtp import free_port

CHROMIUM = os.environ.get("MISSIVA_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture
def server(app):
    """The test app served by a real HTTP server in a thread; returns its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app.config["BASE_URL"] = base
    http = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield base
    http.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


WIDTHS = (1280, 375)
# WCAG 2.2 AA, as axe-core checks it
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa",
                                                      "best-practice"]},
               "resultTypes": ["violations"]}


def accessibility_problems(page) -> list[str]:
    """axe-core's serious and critical findings on the page as it stands, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:4])
            for v in found if v["impact"] in ("serious", "critical")]


@pytest.fixture
def shoot():
    """Look at a page as its users will: a full-page screenshot at 1280 px and at 375 px (written to
    tests/artifacts/screenshots/, kept by CI), and axe-core run at each width, failing on any
    serious or critical accessibility problem."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        page.wait_for_load_state()
        size = page.viewport_size
        try:
            for width in WIDTHS:
                if width != page.viewport_size["width"]:
                    page.set_viewport_size({"width": width, "height": size["height"]})
                page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
                problems = accessibility_problems(page)
                assert not problems, f"{name} at {width} px ({page.url}):\n" + "\n".join(problems)
        finally:
            page.set_viewport_size(size)

    return take


def sign_in(page, base: str, email: str, password: str = "secret-pass") -> None:
    """Sign in through the page, as a person types it."""
    page.goto(f"{base}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
