"""The Streamlit app, run headless with AppTest against real DuckDB files."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from pipeline.config import REPO_ROOT

APP = str(REPO_ROOT / "dashboard.py")


@pytest.fixture
def app_on(monkeypatch):
    def start(db):
        monkeypatch.setenv("CLAIMS_DB", str(db))
        app = AppTest.from_file(APP, default_timeout=60)
        app.run()
        assert not app.exception, app.exception
        return app

    return start


def test_lists_the_stored_documents(app_on, seed_db):
    app = app_on(seed_db)
    table = app.dataframe[0].value
    assert len(table) == 5
    assert "Al Mayadeen English" in set(table["outlet"])
    assert "5 documents (1 copies of others)" in app.caption[0].value


def test_without_a_database_it_says_how_to_make_one(app_on, tmp_path):
    app = app_on(tmp_path / "missing.duckdb")
    assert "No database yet" in app.info[0].value
