"""Shared fixtures: fresh databases, the seed database, bad-input files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.config import REPO_ROOT

SEEDS = REPO_ROOT / "data" / "seeds"


@pytest.fixture
def fresh_db(tmp_path: Path) -> Path:
    """Path of a database that does not exist yet, in its own folder."""
    return tmp_path / "db" / "claims.duckdb"


@pytest.fixture(scope="session")
def analyze():
    """The real analyzer (attribution, parties, dates, linking) with the shipped data files, loaded once."""
    from pipeline.link.analyzer import analyzer

    return analyzer()


@pytest.fixture(scope="session")
def seed_db(tmp_path_factory, analyze) -> Path:
    """A database with the five shipped seeds ingested (read-only use: copy it to modify)."""
    db = tmp_path_factory.mktemp("seed") / "claims.duckdb"
    from pipeline.ingest import runner

    summary = runner.ingest([SEEDS], db, analyze)
    assert summary.new == 4 and summary.duplicates == 1, summary.line()
    return db


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A writable copy of the seed folder."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture
def without_encoders(monkeypatch):
    """Extraction as on a machine without the optional contextual taggers: the rules and CRFs alone."""
    from pipeline.extract.attribution import encoders

    monkeypatch.setattr(encoders, "cue_tagger", lambda: None)
    monkeypatch.setattr(encoders, "role_tagger", lambda: None)
