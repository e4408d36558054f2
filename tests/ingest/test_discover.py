"""Discovery: which entries under an ingest root are read, and the reason for each that is not."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.ingest import discover


def _found(root: Path) -> tuple[list[str], dict[str, str]]:
    skipped: list[discover.Skipped] = []
    found = [f.relative_to(root).as_posix() for f, _ in discover.discover([root], skipped)]
    return found, {s.path: s.reason for s in skipped}


def test_recurses_in_name_order_and_names_what_it_passes_over(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ("a.txt", "sub/b.md", "sub/c.html", "d.jsonl", "e.png", ".hidden.txt"):
        (tmp_path / name).write_text("x")
    found, skipped = _found(tmp_path)
    assert found == ["a.txt", "d.jsonl", "sub/b.md", "sub/c.html"]
    assert skipped == {"e.png": "other file type", ".hidden.txt": "hidden file"}


def test_a_link_out_of_the_root_is_refused_and_never_read(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("outside")
    (root / "passwd.txt").symlink_to("/etc/passwd")
    (root / "escape.txt").symlink_to(tmp_path / "secret.txt")
    found, skipped = _found(root)
    assert found == []
    assert skipped["passwd.txt"].startswith("symbolic link leads outside the ingest root (to /etc/passwd)")
    assert skipped["escape.txt"].startswith("symbolic link leads outside the ingest root")
    assert all(s.quarantine for s in discover_skipped(root))


def discover_skipped(root: Path) -> list[discover.Skipped]:
    skipped: list[discover.Skipped] = []
    list(discover.discover([root], skipped))
    return skipped


def test_links_inside_the_root_loops_dangling_links_and_folder_links(tmp_path):
    (tmp_path / "real.txt").write_text("article")
    (tmp_path / "alias.txt").symlink_to(tmp_path / "real.txt")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "missing.txt")
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    (tmp_path / "sub").mkdir()
    (tmp_path / "again").symlink_to(tmp_path / "sub")
    found, skipped = _found(tmp_path)
    assert found == ["alias.txt", "real.txt"]
    assert skipped == {
        "gone.txt": "dangling symbolic link",
        "loop.txt": "symbolic link loop",
        "again": "symbolic link to a folder inside the root, not followed",
    }


def test_fifos_are_never_opened(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    found, skipped = _found(tmp_path)  # would block forever if the FIFO were opened
    assert found == []
    assert skipped == {"pipe.txt": "not a regular file (FIFO), never opened"}


def test_an_unreadable_folder_is_named(tmp_path, monkeypatch):
    (tmp_path / "locked").mkdir()
    (tmp_path / "a.txt").write_text("x")
    real_scandir = os.scandir

    def scandir(path):
        # Permissions do not stop root (CI runs as root), so the refusal a user would meet is played here.
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(discover.os, "scandir", scandir)
    found, skipped = _found(tmp_path)
    assert found == ["a.txt"]
    assert skipped == {"locked": "unreadable folder: Permission denied"}


def test_a_file_name_that_is_not_utf8_can_be_shown():
    assert discover.display_path(os.fsdecode(b"caf\xe9.txt")) == "caf\\xe9.txt"


@pytest.mark.parametrize("mode,kind", [(0o010644, "FIFO"), (0o140644, "socket"), (0o020644, "character device"),
                                       (0o100644, None)])
def test_special_kinds(mode, kind):
    assert discover.special_kind(mode) == kind
