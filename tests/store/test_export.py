"""Claims export, the assertions listing and relinking, through the command line on real DuckDB files."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import SEEDS

from pipeline.config import REPO_ROOT
from pipeline.ingest import runner
from pipeline.models import ClaimExportRow
from pipeline.store import connection, export, queries


def run_cli(*args: str, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=REPO_ROOT,
                          env={**os.environ, "CLAIMS_DB": str(db)}, timeout=600)


def read_csv(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # the UTF-8 byte-order mark Excel needs
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.fixture(scope="module")
def exported(seed_db, tmp_path_factory) -> list[dict[str, str]]:
    out = tmp_path_factory.mktemp("export") / "claims.csv"
    run = run_cli("export", "--out", str(out), db=seed_db)
    assert run.returncode == 0, run.stderr
    return read_csv(out)


def test_export_columns_are_the_documented_model(exported):
    assert list(exported[0]) == list(ClaimExportRow.model_fields)
    for row in exported[:20]:
        ClaimExportRow.model_validate({k: (v if v != "" else None) for k, v in row.items()})


def test_export_rows_carry_party_stance_quote_and_source(exported):
    denial = [r for r in exported if r["assertion_id"] == "iran-drones-for-ukraine-war" and r["party_id"] == "iran"
              and "small batch of drones" in r["quote"]]
    assert denial and denial[0]["stance"] == "denies"
    assert denial[0]["speaker"] == "Hossein Amir-Abdollahian"
    assert denial[0]["statement_date"] == "2022-11-01" and denial[0]["date_precision"] == "month"
    assert denial[0]["outlet"] == "Al Mayadeen English"
    assert denial[0]["document"] == "000_f5fea07825fc11a7.txt"
    assert denial[0]["assertion"].startswith("Iran supplied Russia with drones")


def test_copies_are_never_exported(exported):
    documents = {r["document"] for r in exported}
    assert "001_d00519b2b57ac181.txt" not in documents
    assert "000_f5fea07825fc11a7.txt" in documents


def test_week_filter_keeps_statements_dated_inside_the_iso_week(seed_db, tmp_path, exported):
    out = tmp_path / "week.csv"
    assert run_cli("export", "--out", str(out), "--week", "2023-W09", db=seed_db).returncode == 0
    rows = read_csv(out)
    assert rows
    assert all("2023-02-27" <= r["statement_date"] <= "2023-03-05" for r in rows)
    expected = [r for r in exported if r["statement_date"] and "2023-02-27" <= r["statement_date"] <= "2023-03-05"]
    assert len(rows) == len(expected)
    out2 = tmp_path / "assertion.csv"
    run_cli("export", "--out", str(out2), "--assertion", "iran-russia-partnership-threat", "--since", "2022-12-01",
            "--until", "2022-12-31", db=seed_db)
    rows = read_csv(out2)
    assert rows and {r["assertion_id"] for r in rows} == {"iran-russia-partnership-threat"}
    assert all(r["statement_date"].startswith("2022-12") for r in rows)


def test_a_bad_week_is_a_clear_error(seed_db, tmp_path):
    run = run_cli("export", "--out", str(tmp_path / "x.csv"), "--week", "2023-09", db=seed_db)
    assert run.returncode == 2 and "not an ISO week" in run.stderr


def test_cells_that_would_run_as_spreadsheet_formulas_are_neutralised(tmp_path, analyze):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "formula.txt").write_text(
        "@Breaking: drones\n\n"
        "Officials met in Vienna on Monday to discuss the region.\n\n"
        "\"=1+2 Iran supplied Russia with drones for its war in Ukraine,\" a White House official said on Monday.\n\n"
        "The talks will continue next week, diplomats said.\n",
        encoding="utf-8",
    )
    db = tmp_path / "claims.duckdb"
    runner.ingest([folder], db, analyze)
    out = tmp_path / "claims.csv"
    assert run_cli("export", "--out", str(out), db=db).returncode == 0
    text = out.read_text(encoding="utf-8")
    rows = read_csv(out)
    quotes = [r["quote"] for r in rows if "Iran supplied Russia" in r["quote"]]
    assert quotes and all(q.startswith("'=1+2") for q in quotes)
    assert "\n=1+2" not in text and ",=1+2" not in text and '"=1+2' not in text


@pytest.mark.parametrize("cell", ["=SUM(A1)", "+1", "-2+3", "@cmd", "\tx", "\rx"])
def test_every_formula_prefix_is_neutralised(cell):
    frame = pd.DataFrame({"quote": [cell, "plain"], "n": [1, 2]})
    out = export.neutralise_formulas(frame)
    assert out["quote"].tolist() == ["'" + cell, "plain"]
    assert out["n"].tolist() == [1, 2]


def test_parquet_export_has_the_same_rows(seed_db, tmp_path, exported):
    out = tmp_path / "claims.parquet"
    assert run_cli("export", "--out", str(out), db=seed_db).returncode == 0
    frame = pd.read_parquet(out)
    assert list(frame.columns) == list(ClaimExportRow.model_fields)
    assert len(frame) == len(exported)


def test_assertions_lists_parties_and_dates(seed_db):
    run = run_cli("assertions", "--format", "csv", db=seed_db)
    rows = {r["assertion_id"]: r for r in csv.DictReader(io.StringIO(run.stdout))}
    drones = rows["iran-drones-for-ukraine-war"]
    assert int(drones["asserting_parties"]) >= 2 and int(drones["denying_parties"]) >= 1
    assert drones["first_date"] <= drones["last_date"]
    assert list(rows) == ["iran-drones-for-ukraine-war", "russia-uses-iranian-drones",
                          "iran-russia-partnership-threat", "russia-military-aid-to-iran", "iran-missiles-to-russia"]


def test_relink_with_a_new_catalog_links_it_and_changes_nothing_else(seed_db, tmp_path):
    db = tmp_path / "claims.duckdb"
    db.write_bytes(seed_db.read_bytes())
    with connection.connect_readonly(db) as con:
        statements_before = con.execute("SELECT id, party_id, statement_date FROM statements ORDER BY id").fetchall()
        claims_before = con.execute("SELECT id, stance FROM claims ORDER BY id").fetchall()
    catalog = tmp_path / "assertions.yaml"
    catalog.write_text((REPO_ROOT / "data" / "assertions.yaml").read_text() + (
        "  - id: us-stays-in-middle-east\n"
        "    claim: Washington remains committed to the Middle East in the long term.\n"))
    run = run_cli("relink", "--catalog", str(catalog), db=db)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("relinked 5 documents against 6 assertions in ")
    with connection.connect_readonly(db) as con:
        assert con.execute("SELECT id, party_id, statement_date FROM statements ORDER BY id").fetchall() == \
            statements_before
        new = con.execute("SELECT party_id, stance FROM claims WHERE assertion_id = 'us-stays-in-middle-east'").fetchall()
        old = con.execute("SELECT id, stance FROM claims WHERE assertion_id <> 'us-stays-in-middle-east' "
                          "ORDER BY id").fetchall()
    assert ("united-states", "asserts") in new
    assert old == claims_before
    # Relinking again with the same inputs changes nothing.
    run_cli("relink", "--catalog", str(catalog), db=db)
    with connection.connect_readonly(db) as con:
        assert con.execute("SELECT count(*) FROM claims WHERE assertion_id = 'us-stays-in-middle-east'").fetchone()[0] \
            == len(new)


def test_ingest_with_a_changed_catalog_relinks_stored_documents(seed_db, tmp_path):
    db = tmp_path / "claims.duckdb"
    db.write_bytes(seed_db.read_bytes())
    catalog = tmp_path / "assertions.yaml"
    catalog.write_text("assertions:\n  - id: us-stays-in-middle-east\n"
                       "    claim: Washington remains committed to the Middle East in the long term.\n")
    run = run_cli("ingest", str(SEEDS), "--catalog", str(catalog), db=db)
    assert "5 documents relinked" in run.stdout
    with connection.connect_readonly(db) as con:
        assert {r[0] for r in con.execute("SELECT DISTINCT assertion_id FROM claims").fetchall()} == {
            "us-stays-in-middle-east"}
        assert queries.assertion_summary(con)["assertion_id"].tolist() == ["us-stays-in-middle-east"]


def test_a_malformed_catalog_is_a_one_line_error(tmp_path):
    catalog = tmp_path / "assertions.yaml"
    catalog.write_text("assertions:\n  - id: x\n")
    run = run_cli("ingest", str(SEEDS), "--catalog", str(catalog), db=tmp_path / "claims.duckdb")
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [f"error: {catalog}:2: assertions[0].claim: Field required"]


def test_document_stances_export(seed_db, tmp_path):
    out = tmp_path / "stances.csv"
    run = run_cli("export", "--table", "document-stances", "--out", str(out), db=seed_db)
    assert run.returncode == 0, run.stderr
    rows = read_csv(out)
    assert list(rows[0])[:4] == ["document", "assertion_id", "stance", "confidence"]
    assert {r["stance"] for r in rows} <= {"asserts", "denies", "reports"}
    by_pair = {(r["document"], r["assertion_id"]): r for r in rows}
    # 002 reports Western officials' claim about missiles: related; 003 never mentions missiles.
    assert ("002_d15bbcbb6ade96e7.txt", "iran-missiles-to-russia") in by_pair
    assert ("003_dc76e98f6d4ee6c7.txt", "iran-missiles-to-russia") not in by_pair
    assert all(0.0 <= float(r["confidence"]) <= 1.0 for r in rows)


def test_the_readme_documents_every_export_column():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    for name in ClaimExportRow.model_fields:
        assert f"| `{name}` |" in readme, name
