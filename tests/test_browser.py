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
    yield from _serve(db, tmp_path_factory)


OLD_ARTICLE = {
    "url": "https://example.org/2015/denial", "title": "Tehran rejects drone report", "outlet": "Example Wire",
    "published": "2015-06-03",
    "text": "TEHRAN - Iran's foreign minister Javad Zarif denied on Wednesday that Iran supplied Russia with drones "
            "for its war in Ukraine.\n\n“Iran has never supplied drones to Russia for the war in Ukraine,” Zarif "
            "said. “These reports are baseless.”\n",
}


@pytest.fixture(scope="module")
def old_server(seed_db, tmp_path_factory, chromium, analyze):
    """A dashboard over the seeds plus a statement published in 2015, more than ten years before today."""
    import json

    from pipeline.ingest import runner

    folder = tmp_path_factory.mktemp("old-corpus")
    db = folder / "claims.duckdb"
    shutil.copyfile(seed_db, db)
    (folder / "old.jsonl").write_text(json.dumps(OLD_ARTICLE) + "\n", encoding="utf-8")
    summary = runner.ingest([folder / "old.jsonl"], db, analyze)
    assert summary.new == 1 and summary.claims >= 1, summary.line()
    yield from _serve(db, tmp_path_factory)


def _serve(db: Path, tmp_path_factory):
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
    data = Path(download_info.value.path()).read_bytes()
    # Excel on Windows reads UTF-8 only with the byte-order mark; without it "It's" turned into mojibake.
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
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


def _svg_text(page) -> str:
    return " ".join(page.locator("[data-testid='stVegaLiteChart'] svg text").all_text_contents())


def test_a_2015_date_typed_into_the_explorer_filters(old_server, page):
    page.goto(old_server + "/explorer")
    page.wait_for_selector("[data-testid='stDataFrame']", timeout=60000)
    _settle(page)
    before = page.get_by_text("claims from").first.inner_text()
    for label, typed in (("From", "2015-06-03"), ("To", "2015-12-31")):
        field = page.get_by_role("textbox", name=label, exact=True)
        field.click()
        page.keyboard.type(typed, delay=20)
        page.keyboard.press("Enter")  # applies at once: no Tab, no click elsewhere
        _settle(page)
        assert f"{'since' if label == 'From' else 'until'}={typed}" in page.url
    _shot(page, "explorer-2015-typed")
    assert "since=2015-06-03" in page.url and "until=2015-12-31" in page.url
    after = page.get_by_text("claims from").first.inner_text()
    assert after != before and after.split()[0] != "0", after
    assert page.get_by_text("leaves out").first.is_visible()  # the undated claims the range drops are counted
    _shot(page, "explorer-2015")


def test_a_briefing_url_with_party_and_dates_reproduces_the_view(server, page):
    page.goto(server + "/briefing?assertion=iran-drones-for-ukraine-war&party=iran&since=2022-11-01&until=2023-02-28")
    page.wait_for_selector(CHART, timeout=60000)
    _settle(page)
    text = _svg_text(page)
    assert "Statements by Iran · 01 Nov 2022 – 28 Feb 2023" in text, text
    assert "Made with the contested-claim tracker" in text
    parties = page.locator("[data-testid='stMultiSelect']").filter(has_text="Parties").inner_text()
    assert "Iran" in parties and "United States" not in parties
    listed = page.locator("[data-testid='stMarkdown']").filter(has_text="(Iran,").count()
    assert listed >= 1 and page.locator("[data-testid='stMarkdown']").filter(has_text="(United States,").count() == 0
    _shot(page, "briefing-iran")


def test_an_unknown_value_in_a_url_is_said_on_the_page(server, page):
    page.goto(server + "/explorer?assertion=nope&party=iran")
    page.wait_for_selector("[data-testid='stDataFrame']", timeout=60000)
    _settle(page)
    assert page.get_by_text("This link names what this database does not hold").first.is_visible()
    assert page.get_by_text("assertion 'nope'").first.is_visible()
    page.goto(server + "/briefing?assertion=nope")
    page.wait_for_selector(CHART, timeout=60000)
    _settle(page)
    assert page.get_by_text("assertion 'nope'").first.is_visible()


def test_the_timeline_draws_publication_date_points_hollow(server, page):
    page.goto(server + "/?assertion=iran-drones-for-ukraine-war")
    page.wait_for_selector(CHART, timeout=60000)
    _settle(page)
    marks = page.locator("[data-testid='stVegaLiteChart'] .mark-symbol path")
    opacities = [marks.nth(i).get_attribute("fill-opacity") for i in range(marks.count())]
    assert "0" in opacities and any(o not in (None, "0") for o in opacities), opacities  # hollow and filled
    assert "hollow: the article's publication date" in _svg_text(page)
    # The points as a table: a keyboard reaches the evidence without the mouse.
    page.get_by_text("of the chart as a table").click()
    _settle(page)
    _shot(page, "timeline-hollow")


@pytest.fixture(scope="module")
def review_server(seed_db, tmp_path_factory, chromium):
    """A dashboard over its own copy of the seed database, which the review test changes."""
    db = tmp_path_factory.mktemp("review") / "claims.duckdb"
    shutil.copyfile(seed_db, db)
    os.environ.pop("CLAIMS_REVIEWER", None)
    for base in _serve(db, tmp_path_factory):
        yield base, db


def _wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("the review was not applied in time")
        time.sleep(0.3)


def test_a_review_in_the_browser_changes_the_chart_and_the_csv_and_survives_a_reextraction(review_server, page,
                                                                                            tmp_path):
    import json

    from pipeline.store import connection, queries, reviews

    base, db = review_server
    drones = "iran-drones-for-ukraine-war"

    def exported() -> dict[str, dict]:
        with connection.connect_readonly(db) as con:
            return {r["claim_id"]: r for r in queries.claims_export(con).to_dict("records")}

    def log() -> list[dict]:
        path = reviews.log_path(db)
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    page.goto(base + f"/timeline?assertion={drones}&reviewed=1")
    page.wait_for_selector("text=No statements are linked to this assertion yet", timeout=60000)

    page.goto(base + f"/review?assertion={drones}")
    page.get_by_label("Your name", exact=True).fill("Rita Reviewer")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Reviewing as", timeout=60000)
    _settle(page)
    _shot(page, "review")
    # The keyboard shortcuts: X rejects the first link of the queue, Y confirms the next one.
    page.keyboard.press("x")
    page.wait_for_selector("text=Rejected.", timeout=30000)
    _settle(page)
    page.keyboard.press("y")
    page.wait_for_selector("text=Confirmed.", timeout=30000)
    rejected, confirmed = log()
    assert (rejected["action"], rejected["reviewer"], rejected["assertion_id"]) == ("reject", "Rita Reviewer", drones)
    assert (confirmed["action"], confirmed["reviewer"]) == ("confirm", "Rita Reviewer")
    _wait_for(lambda: rejected["claim_id"] not in exported()
              # the two clicks may be published one at a time; a link confirmed below the threshold
              # is exported only once its review is applied
              and exported().get(confirmed["claim_id"], {}).get("review") == "confirmed")

    def check_views() -> None:
        page.goto(base + f"/timeline?assertion={drones}&reviewed=1")
        page.wait_for_selector(CHART, timeout=60000)  # the confirmed link is a point of its own now
        _settle(page)
        page.goto(base + f"/explorer?assertion={drones}")
        page.wait_for_selector("[data-testid='stDataFrame']", timeout=60000)
        _settle(page)
        with page.expect_download() as download_info:
            page.get_by_role("button", name="Download this table (CSV)").click()
        text = Path(download_info.value.path()).read_bytes().decode("utf-8-sig")
        rows = {r["claim_id"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}
        assert rejected["claim_id"] not in rows
        assert (rows[confirmed["claim_id"]]["review"], rows[confirmed["claim_id"]]["reviewer"]) == \
            ("confirmed", "Rita Reviewer")

    check_views()
    # Re-extract every statement against a changed catalog: the reviews apply to the new claims.
    catalog = tmp_path / "assertions.yaml"
    catalog.write_text((REPO_ROOT / "data" / "assertions.yaml").read_text(encoding="utf-8") + (
        "\n  - id: china-mediates\n    claim: China is mediating between Russia and Ukraine.\n"), encoding="utf-8")
    relink = subprocess.run([sys.executable, "-m", "pipeline", "relink", "--reextract", "--catalog", str(catalog),
                             "--db", str(db), "--workers", "1"], cwd=REPO_ROOT, capture_output=True, text=True,
                            timeout=600)
    assert relink.returncode == 0, relink.stderr
    check_views()
    _shot(page, "review-after-reextract")
