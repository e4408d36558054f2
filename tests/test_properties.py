"""Property tests (hypothesis) over arbitrary input: load, clean, attribution and export never fail on it.

Each property is what a stage promises for any input at all: a reason instead of an exception,
offsets that index the text, cells that cannot run in a spreadsheet.
"""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.extract.attribution import extract_attributions
from pipeline.ingest import clean, load
from pipeline.store import export

QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NEWSY = st.text(alphabet=st.sampled_from(list("Iran said “” \"' .,:;—\n\nRussia denied according to the minister "
                                               "Smith Mr. Dr. 2023 Monday who that drones ‘’ «»()?!")), max_size=600)
ANY_TEXT = st.one_of(st.text(max_size=400), NEWSY)


@QUICK
@given(st.binary(max_size=600))
def test_decode_returns_text_or_a_reason(data):
    try:
        text, encoding = load.decode(data)
    except load.DecodeError as exc:
        assert str(exc)
    else:
        assert isinstance(text, str) and encoding


@QUICK
@given(st.lists(st.one_of(st.text(max_size=80), st.just('{"text": "x", "n": ' + "9" * 5001 + "}"),
                          st.just("[" * 3000), st.just('{"text": "\\ud800"}')), max_size=12))
def test_every_jsonl_line_is_a_row_or_a_reason(lines):
    physical = [line.replace("\r", " ").replace("\n", " ") for line in lines]
    rows = list(load._jsonl_rows(io.StringIO("\n".join(physical), newline="")))
    assert [row.line for row in rows] == [n for n, line in enumerate(physical, 1) if line.strip()]
    for row in rows:
        assert (row.fields is None) == (row.error is not None)
        assert row.raw == physical[row.line - 1]


@QUICK
@given(st.text(alphabet=st.sampled_from(list('ab,"\n\r x')), max_size=300))
def test_csv_never_raises_and_never_invents_text(text):
    rows = list(load._csv_rows(io.StringIO("a,b\n" + text, newline=""), limit=1000))
    for row in rows:
        assert row.raw in text  # a row's raw text is a stretch of the file
        assert (row.fields is None) == (row.error is not None)


@QUICK
@given(ANY_TEXT, st.sampled_from(["text", "markdown", "html"]))
def test_clean_returns_a_body_for_any_text(text, kind):
    cleaned = clean.clean(text, kind)
    assert isinstance(cleaned.body, str)
    json.dumps(cleaned.model_dump())  # storable


@QUICK
@given(ANY_TEXT)
def test_attributions_index_the_text_they_were_found_in(text):
    for found in extract_attributions(text):
        for span in (found.cue, found.content, found.speaker):
            if span is not None:
                assert text[span.start:span.end] == span.text
        assert found.direct in (True, False)


@QUICK
@given(st.lists(st.text(max_size=40), min_size=1, max_size=8))
def test_csv_cells_read_back_whole_and_none_can_run(cells):
    text = export.to_csv_text(pd.DataFrame({"cell": cells}))
    read = [row[0] if row else "" for row in csv.reader(io.StringIO(text, newline=""))][1:]
    assert len(read) == len(cells)
    for original, cell in zip(cells, read, strict=True):
        # A cell that could run (or lose its first apostrophe) gets an apostrophe; every other is as it was.
        assert cell == ("'" + original if original.startswith(export.FORMULA_PREFIXES) else original)
