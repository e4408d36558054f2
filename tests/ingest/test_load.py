"""Decoding and rejection of raw inputs."""

from __future__ import annotations

import codecs
import json

import pytest

from pipeline.ingest import load

ARTICLE = "Officials said on Monday that the talks “went well”, according to a statement.\n"


def read_all(path, limit=1000):
    return list(load.read_file(path, path.parent, limit))


def test_utf8_windows1252_and_utf16_bom_decode_to_the_same_text(tmp_path):
    (tmp_path / "a.txt").write_bytes(ARTICLE.encode("utf-8"))
    (tmp_path / "b.txt").write_bytes(ARTICLE.encode("cp1252"))
    (tmp_path / "c.txt").write_bytes(codecs.BOM_UTF16_LE + ARTICLE.encode("utf-16-le"))
    (tmp_path / "d.txt").write_bytes(codecs.BOM_UTF8 + ARTICLE.encode("utf-8"))
    results = {p.name: read_all(p)[0] for p in sorted(tmp_path.iterdir())}
    assert {r.text for r in results.values()} == {ARTICLE}
    assert results["b.txt"].encoding == "windows-1252"
    assert results["c.txt"].encoding == "utf-16"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\n ", "empty file"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file (PNG image)"),
        ("bytes.txt", b"caf\xc3 \x81\x8d\x90 bad", "undecodable bytes at offset 3"),
        ("huge.txt", b"word " * 300, "file too large: 1500 bytes, limit 1000"),
    ],
)
def test_bad_files_are_rejected_with_a_reason(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    [rejection] = read_all(path)
    assert isinstance(rejection, load.Rejection)
    assert reason in rejection.reason
    assert rejection.message().startswith(name + ": ")


def test_jsonl_batch_yields_rows_and_rejects_bad_lines_with_line_numbers(tmp_path):
    path = tmp_path / "batch.jsonl"
    path.write_text(
        json.dumps({"text": ARTICLE, "url": "https://example.org/a", "published": "2023-01-02"}) + "\n"
        + "{not json\n"
        + json.dumps({"title": "no body"}) + "\n"
        + json.dumps({"html": "<p>x</p>", "outlet": "Example"}) + "\n",
        encoding="utf-8",
    )
    items = read_all(path, limit=10_000)
    good = [i for i in items if isinstance(i, load.RawArticle)]
    bad = [i for i in items if isinstance(i, load.Rejection)]
    assert [g.source for g in good] == ["https://example.org/a", "batch.jsonl:4"]
    assert good[0].hints == {"url": "https://example.org/a", "published": "2023-01-02"}
    assert good[1].kind.value == "html"
    assert [(b.line, b.reason.split(":")[0]) for b in bad] == [(2, "malformed JSON"), (3, "row has no 'text' or 'html'")]


def test_csv_batch_rejects_a_row_with_the_wrong_number_of_fields(tmp_path):
    path = tmp_path / "batch.csv"
    path.write_text('text,title\n"A body, with a comma\nand a newline",First\nonly,two,many\n', encoding="utf-8")
    items = read_all(path, limit=10_000)
    assert isinstance(items[0], load.RawArticle) and items[0].hints == {"title": "First"}
    assert items[0].text == "A body, with a comma\nand a newline"
    assert isinstance(items[1], load.Rejection)
    assert (items[1].line, items[1].reason) == (4, "row has 3 fields, header has 2")


def test_a_raw_line_separator_inside_a_json_string_does_not_split_the_row(tmp_path):
    path = tmp_path / "batch.jsonl"
    body = ARTICLE + "\u2028Second paragraph after a line separator."
    path.write_text(json.dumps({"text": body}, ensure_ascii=False) + "\r\n" + json.dumps({"text": ARTICLE}) + "\n",
                    encoding="utf-8")
    items = read_all(path, limit=10_000)
    assert [(i.line, i.text) for i in items] == [(1, body), (2, ARTICLE)]


@pytest.mark.parametrize("name, data, encoding, expected", [
    ("cp1252.jsonl", json.dumps({"text": "Réza Talaei said so."}, ensure_ascii=False).encode("cp1252"),
     "windows-1252", "Réza Talaei said so."),
    ("utf16.csv", codecs.BOM_UTF16_LE + "text,title\nRéza said so.,T\n".encode("utf-16-le"), "utf-16",
     "Réza said so."),
    ("bom.jsonl", codecs.BOM_UTF8 + json.dumps({"text": "Ok, said Bob."}).encode(), "utf-8-sig", "Ok, said Bob."),
])
def test_batches_decode_like_single_articles(tmp_path, name, data, encoding, expected):
    path = tmp_path / name
    path.write_bytes(data)
    [item] = read_all(path, limit=10_000)
    assert (item.encoding, item.text) == (encoding, expected)


def test_an_undecodable_batch_is_quarantined_whole_at_the_first_bad_byte(tmp_path, monkeypatch):
    # Pieces of 7 bytes: the bad byte and the two-byte characters before it straddle piece boundaries.
    monkeypatch.setattr(load, "BATCH_CHUNK", 7)
    data = json.dumps({"text": "ééééé said X."}, ensure_ascii=False).encode() + b"\n" + b'{"text": "\x81\x8d"}\n'
    path = tmp_path / "bad.jsonl"
    path.write_bytes(data)
    [rejection] = read_all(path)
    assert rejection.copy_whole_file and rejection.line is None
    assert rejection.reason == f"undecodable bytes at offset {data.index(0x81)} (neither UTF-8 nor Windows-1252)"


@pytest.mark.parametrize("data", [b"ab\xc3(cd", "aé€".encode() + b"\xe2\x82(", "é".encode() * 5 + b"\xff", b"ok\xc3"])
def test_the_first_undecodable_byte_is_found_whatever_the_piece_size(tmp_path, monkeypatch, data):
    path = tmp_path / "x.jsonl"
    path.write_bytes(data)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        expected = exc.start
    for size in range(1, len(data) + 2):
        monkeypatch.setattr(load, "BATCH_CHUNK", size)
        assert load._first_undecodable(path, "utf-8") == expected, size


@pytest.mark.parametrize("name, data, reason", [
    ("blank.jsonl", b"\n  \n\t\n", "empty batch file"),
    ("empty.csv", b"", "empty batch file"),
    ("header_only.csv", b"text,title\n", "batch file has no rows"),
])
def test_a_batch_without_rows_is_quarantined(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    [rejection] = read_all(path)
    assert (rejection.reason, rejection.copy_whole_file) == (reason, True)


def test_manifest_rows_key_by_resolved_path(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("path,published,outlet\na.txt,2023-02-28,Example Times\n,,\n")
    hints, rejections = load.load_manifest(manifest)
    [article] = list(load.read_file(tmp_path / "a.txt", tmp_path, 1000, hints))
    assert article.hints == {"published": "2023-02-28", "outlet": "Example Times"}
    assert rejections == []
