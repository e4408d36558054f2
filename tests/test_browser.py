"""The dashboard in a real browser: Debian's Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import csv
import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from pipeline.config import REPO_ROOT

SCREENSHOTS = REPO_ROOT / "artifacts" / "screenshots"
CHART = "[data-testid='stVegaLiteChart'] svg, [data-testid='stVegaLiteChart'] canvas"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.skip("chromium is not installed (make test installs Debian's chromium)")
    pytest.importorskip("playwright.sync_api")
    return path


@pytest.fixture(scope="module")
def server(seed_db, tmp_path_factory, chromium):
    """Base URL of `streamlit run dashboard.py` on a free port, reading a copy of the seed database."""
    db = tmp_path_factory.mktemp("browser") / "claims.duckdb"
    shutil.copyfile(seed_db, db)
    port = _free_port()
    env = {**os.environ, "CLAIMS_DB": str(db)}
    log = tmp_path_factory.mktemp("browser-log") / "streamlit.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "dashboard.py"),
             "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--headless=new", "--disable-dev-shm-usage"],
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 2200}, accept_downloads=True)
    try:
        yield context.new_page()
    finally:
        context.close()


def _settle(page) -> None:
    # Streamlit shows a running indicator while the script runs; wait until it is gone.
    page.wait_for_timeout(500)
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30000)
    page.wait_for_timeout(500)


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_timeline_draws_a_chart_per_assertion(server, page):
    page.goto(server + "/")
    page.wait_for_selector(CHART, timeout=60000)
    _settle(page)
    assert page.get_by_text("Disputed assertions over time").is_visible()
    assert page.get_by_text("Unknown date").first.is_visible()
    _shot(page, "timeline")
    page.goto(server + "/?assertion=iran-drones-for-ukraine-war")
    page.wait_for_selector(CHART, timeout=60000)
    _settle(page)
    assert page.get_by_text("Weekly statements by party").is_visible()
    assert not page.get_by_text("Page not found").is_visible()
    # Click a dot: the evidence behind it is listed under the chart.
    dot = page.locator("[data-testid='stVegaLiteChart'] .mark-symbol path").first
    dot.click(force=True)
    page.wait_for_selector("text=Evidence:", timeout=30000)
    _settle(page)
    assert page.get_by_text("Evidence:").first.is_visible()
    _shot(page, "timeline-one-assertion")


def _totals(db: Path, **filters) -> str:
    from pipeline.store import connection, queries

    with connection.connect_readonly(db) as con:
        totals = queries.filtered_totals(con, queries.ClaimFilter(**filters))
    from dashboard import counted

    return (f"{counted(totals['claims'], 'claim')} from {counted(totals['documents'], 'document')}, "
            f"{counted(totals['parties'], 'party', 'parties')}")


def test_explorer_filter_from_the_url_and_csv_download(server, seed_db, page):
    page.goto(server + "/explorer?stance=denies")
    page.wait_for_selector("[data-testid='stDataFrame']", timeout=60000)
    _settle(page)
    summary = page.get_by_text("claims from").first.inner_text()
    assert summary.startswith(_totals(seed_db, stances=("denies",))), summary
    # Narrow further in the page: the party filter.
    party = page.locator("[data-testid='stMultiSelect']").filter(has_text="Party")
    party.locator("input").click()
    page.get_by_role("option", name="Russia").click()
    page.keyboard.press("Escape")
    _settle(page)
    assert "party=russia" in page.url and "stance=denies" in page.url
    expected = _totals(seed_db, stances=("denies",), parties=("russia",))
    assert page.get_by_text("claims from").first.inner_text().startswith(expected)
    _shot(page, "explorer")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download this table (CSV)").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == int(expected.split()[0]) >= 1
    assert {(r["party_id"], r["stance"]) for r in rows} == {("russia", "denies")}
    assert {r["assertion_id"] for r in rows} == {"iran-drones-for-ukraine-war", "russia-uses-iranian-drones"}


def test_briefing_and_attention_pages(server, page):
    page.goto(server + "/briefing?assertion=iran-russia-partnership-threat")
    page.wait_for_selector(CHART, timeout=60000)
    _settle(page)
    assert page.get_by_text("Who said what, when").is_visible()
    assert page.get_by_role("button", name="Download PNG").is_visible()
    _shot(page, "briefing")
    page.goto(server + "/attention")
    page.wait_for_selector("[data-testid='stDataFrame']", timeout=60000)
    _settle(page)
    assert page.get_by_text("Documents without a publication date (2)").is_visible()
    _shot(page, "attention")


def test_health_endpoint_answers(server):
    with urllib.request.urlopen(server + "/_stcore/health", timeout=5) as response:
        assert response.read().strip() == b"ok"
