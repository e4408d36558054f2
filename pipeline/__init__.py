"""Contested-claim tracker: ingestion pipeline from article files to DuckDB."""
