"""Defaults in one place; environment variables override them."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = REPO_ROOT / "data"
# Trained model files, shared by extract/ and link/ at run time and written by learn/.
MODEL_FILES_DIR = REPO_ROOT / "pipeline" / "model_files"

DEFAULT_DB_PATH = DATA_DIR / "claims.duckdb"
DEFAULT_CATALOG_PATH = DATA_DIR / "assertions.yaml"
DEFAULT_ACTORS_PATH = DATA_DIR / "actors.yaml"
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

# Batch files (JSONL/CSV) are streamed row by row, so the per-file limit applies to each row's text instead.
BATCH_EXTENSIONS = {".jsonl", ".csv"}
ARTICLE_EXTENSIONS = {".txt", ".md", ".markdown", ".html", ".htm"}


def db_path(override: str | os.PathLike | None = None) -> Path:
    """Return the DuckDB path: explicit argument, then $CLAIMS_DB, then data/claims.duckdb."""
    if override:
        return Path(override)
    return Path(os.environ.get("CLAIMS_DB") or DEFAULT_DB_PATH)


def max_bytes(override: int | None = None) -> int:
    """Return the size limit for one article file or batch row: argument, $CLAIMS_MAX_BYTES, 20 MB."""
    if override is not None:
        return override
    value = os.environ.get("CLAIMS_MAX_BYTES")
    return int(value) if value else DEFAULT_MAX_BYTES


def eval_dir() -> Path:
    """Return the public evaluation data folder: $CLAIMS_EVAL_DIR or ../shared/eval beside the repo."""
    return Path(os.environ.get("CLAIMS_EVAL_DIR") or REPO_ROOT.parent / "shared" / "eval")


def quarantine_dir(db: Path) -> Path:
    """Return where raw bytes of rejected inputs are kept: a folder next to the database."""
    return db.parent / "quarantine"
