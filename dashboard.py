"""Streamlit dashboard: lays out widgets and calls query functions; no SQL and no pipeline logic here."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import streamlit as st

from pipeline import config, queries, store


def database_path() -> Path:
    """Return the database the app reads ($CLAIMS_DB or data/claims.duckdb)."""
    return config.db_path()


def file_version(path: Path) -> tuple[int, int]:
    """Return (inode, mtime) so cached reads refresh when an ingest publishes a new file."""
    stat = os.stat(path)
    return stat.st_ino, stat.st_mtime_ns


@st.cache_data(ttl=60, show_spinner=False)
def load_documents(path: str, version: tuple[int, int]) -> pd.DataFrame:
    # Read-only and short-lived: the app never holds the file, and a writer never writes it in place.
    with store.connect_readonly(Path(path)) as con:
        return queries.documents(con)


@st.cache_data(ttl=60, show_spinner=False)
def load_quarantine(path: str, version: tuple[int, int]) -> pd.DataFrame:
    with store.connect_readonly(Path(path)) as con:
        return queries.quarantined(con)


def main() -> None:
    st.set_page_config(page_title="Contested-claim tracker", layout="wide")
    st.title("Contested-claim tracker")
    path = database_path()
    if not path.exists():
        st.info(f"No database yet at `{path}`. Run `python -m pipeline ingest data/seeds` (or `make run`).")
        return
    version = file_version(path)
    documents = load_documents(str(path), version)
    originals = documents[documents["duplicate_of"].isna()]
    st.caption(
        f"{len(documents)} documents ({len(documents) - len(originals)} copies of others), "
        f"{int(originals['statements'].sum())} statements"
    )
    st.subheader("Documents")
    if documents.empty:
        st.info("The database has no documents yet.")
    else:
        st.dataframe(documents, hide_index=True, use_container_width=True)
    quarantine = load_quarantine(str(path), version)
    if not quarantine.empty:
        st.subheader("Quarantined inputs")
        st.dataframe(quarantine, hide_index=True, use_container_width=True)


main()
