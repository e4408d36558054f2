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
# One document's time to be cleaned and analysed, plus time per MB of its text; a document that takes
# longer is quarantined as taking too long. An ordinary article takes well under a second.
DEFAULT_DOCUMENT_SECONDS = 10.0
SECONDS_PER_MB = 30.0
ERROR_LOG = "errors.log"

# Batch files (JSONL/CSV) are streamed row by row, so the per-file limit applies to each row's text instead.
BATCH_EXTENSIONS = {".jsonl", ".csv"}
ARTICLE_EXTENSIONS = {".txt", ".md", ".markdown", ".html", ".htm"}


class SettingError(ValueError):
    """A path or setting that cannot be used; its message is the one line a user sees."""


def db_path(override: str | os.PathLike | None = None) -> Path:
    """Return the DuckDB path: explicit argument, then $CLAIMS_DB, then data/claims.duckdb.

    `~` expands; a symbolic link is followed to the file it names, so that publishing a new version
    replaces the file and keeps the link. SettingError for what cannot be a database file.
    """
    if override is not None:
        value, where = os.fspath(override), "--db"
    else:
        value, where = os.environ.get("CLAIMS_DB", ""), "CLAIMS_DB"
        if not value:
            return DEFAULT_DB_PATH
    if not value.strip():
        raise SettingError(f"{where} is empty: give the path of a database file")
    if value.strip() == ":memory:":
        raise SettingError(f"{where}=:memory: would lose everything when the command ends: give a file path")
    path = Path(os.path.expanduser(value))
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    if path.is_dir():
        raise SettingError(f"{where}: {path} is a folder, not a database file")
    return path


def max_bytes(override: int | None = None) -> int:
    """Return the size limit for one article file or batch row: argument, $CLAIMS_MAX_BYTES, 20 MB."""
    value: object = override if override is not None else os.environ.get("CLAIMS_MAX_BYTES") or DEFAULT_MAX_BYTES
    try:
        limit = int(value)
    except ValueError:
        raise SettingError(f"CLAIMS_MAX_BYTES={value!r} is not a whole number of bytes") from None
    if limit <= 0:
        raise SettingError(f"the size limit must be a positive number of bytes, not {limit}")
    return limit


def document_seconds(override: float | None = None) -> float:
    """Return the time limit per document: argument, $CLAIMS_TIME_LIMIT, 10 s (SettingError if not a number)."""
    if override is not None:
        value: object = override
    else:
        value = os.environ.get("CLAIMS_TIME_LIMIT") or DEFAULT_DOCUMENT_SECONDS
    try:
        seconds = float(value)
    except ValueError:
        raise SettingError(f"CLAIMS_TIME_LIMIT={value!r} is not a number of seconds") from None
    if not seconds > 0:
        raise SettingError(f"the time limit per document must be more than 0 seconds, not {value}")
    return seconds


def workers(override: int | None = None) -> int:
    """Return how many worker processes analyse documents: argument, $CLAIMS_WORKERS, or 0 (one per core)."""
    value: object = override if override is not None else (os.environ.get("CLAIMS_WORKERS") or 0)
    try:
        count = int(value)
    except ValueError:
        raise SettingError(f"CLAIMS_WORKERS={value!r} is not a whole number") from None
    if count < 0:
        raise SettingError(f"the number of workers must be 0 (one per core) or more, not {value}")
    return count


def eval_dir() -> Path:
    """Return the public evaluation data folder: $CLAIMS_EVAL_DIR or ../shared/eval beside the repo."""
    return Path(os.environ.get("CLAIMS_EVAL_DIR") or REPO_ROOT.parent / "shared" / "eval")


def quarantine_dir(db: Path) -> Path:
    """Return where raw bytes of rejected inputs are kept: a folder beside the database, named after it.

    Named after the database, so two databases in one folder (or in /tmp) never share their copies.
    """
    return db.parent / f"{db.name}.quarantine"
