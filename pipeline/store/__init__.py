"""DuckDB: connection (read-only opens, transactions), migrations (the numbered schema), database (the
single-writer protocol and every write), read_model (the derived tables the pages read), queries
(every read) and export (CSV and Parquet).
"""
