"""Which entries under the paths given are read, and why each of the others is not.

A folder is walked without following links out of it: an entry is read only when it is a regular
file of an article or batch type, directly or through a symbolic link whose target lies inside the
same ingest root. Everything else is passed over with a reason, and nothing is opened to find out:
a FIFO or a device would block or read forever, and a link to /etc/passwd must not become a document.
Entries that look like a problem (links that lead outside the root, dangling links or loops, FIFOs,
sockets, devices, unreadable files and folders) are quarantined by the run; hidden entries and files
of other types are only counted, because a folder of scrapes normally holds some (.DS_Store, notes).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

from pipeline.config import ARTICLE_EXTENSIONS, BATCH_EXTENSIONS
from pipeline.models import Strict

WANTED_EXTENSIONS = ARTICLE_EXTENSIONS | BATCH_EXTENSIONS


class Skipped(Strict):
    """An entry that is not read: where it is, why, and whether it deserves a quarantine record."""

    path: str
    reason: str
    quarantine: bool


def display_path(path: os.PathLike | str) -> str:
    """Return a path as text that can be printed and stored (bytes that are not UTF-8 as \\x escapes)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def special_kind(mode: int) -> str | None:
    """Return what a non-regular file is ("FIFO", "socket", "character device", ...), None for a regular file."""
    for test, name in ((stat.S_ISFIFO, "FIFO"), (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISDIR, "folder")):
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else "not a regular file"


def discover(paths: list[Path], skipped: list[Skipped]) -> Iterator[tuple[Path, Path]]:
    """Yield (file, ingest root) for every file to read under the given files and folders.

    A file named directly is always yielded (read_file then refuses what it cannot read, without
    opening special files). Entries of a folder that are not read are appended to `skipped`.
    """
    for path in paths:
        if path.is_dir():
            yield from _walk(path, path.resolve(), skipped)
        else:
            yield path, path.parent


def _walk(folder: Path, real_root: Path, skipped: list[Skipped]) -> Iterator[tuple[Path, Path]]:
    root = folder

    def shown(path: Path) -> str:  # as documents name their source: relative to the ingest root
        return display_path(path.relative_to(root))

    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as listing:
                entries = sorted(listing, key=lambda e: os.fsencode(e.name))
        except OSError as exc:
            skipped.append(Skipped(path=shown(current), reason=f"unreadable folder: {exc.strerror}",
                                   quarantine=True))
            continue
        folders = []
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith("."):
                kind = "folder" if entry.is_dir(follow_symlinks=False) else "file"
                skipped.append(Skipped(path=shown(path), reason=f"hidden {kind}", quarantine=False))
            elif entry.is_symlink():
                found = _through_link(path, shown(path), real_root, skipped)
                if found is not None:
                    yield found, root
            elif entry.is_dir(follow_symlinks=False):
                folders.append(path)
            elif entry.is_file(follow_symlinks=False):
                if path.suffix.lower() in WANTED_EXTENSIONS:
                    yield path, root
                else:
                    skipped.append(Skipped(path=shown(path), reason="other file type", quarantine=False))
            else:
                kind = _special(path)
                skipped.append(Skipped(path=shown(path), reason=f"not a regular file ({kind}), never opened",
                                       quarantine=True))
        # Depth first, in name order: the same tree is always read in the same order.
        pending.extend(reversed(folders))


def _special(path: Path) -> str:
    try:
        return special_kind(os.lstat(path).st_mode) or "regular file"
    except OSError as exc:
        return f"cannot stat: {exc.strerror}"


def _through_link(link: Path, shown: str, real_root: Path, skipped: list[Skipped]) -> Path | None:
    """Return the link when its target is an article file inside the root; else record why not."""
    try:
        target = link.resolve(strict=True)
    except FileNotFoundError:
        skipped.append(Skipped(path=shown, reason="dangling symbolic link", quarantine=True))
        return None
    except (RuntimeError, OSError) as exc:  # RuntimeError: a loop (Python 3.11); OSError ELOOP later
        reason = "symbolic link loop" if "loop" in str(exc).lower() or getattr(exc, "errno", None) == 40 else \
            f"unreadable symbolic link: {exc}"
        skipped.append(Skipped(path=shown, reason=reason, quarantine=True))
        return None
    if not target.is_relative_to(real_root):
        skipped.append(Skipped(path=shown, reason=f"symbolic link leads outside the ingest root (to "
                                                  f"{display_path(target)}), refused", quarantine=True))
        return None
    try:
        mode = os.stat(target).st_mode
    except OSError as exc:
        skipped.append(Skipped(path=shown, reason=f"cannot read link target: {exc.strerror}", quarantine=True))
        return None
    if stat.S_ISDIR(mode):
        # Its folder is walked where it lies inside the root; following the link would read it twice.
        skipped.append(Skipped(path=shown, reason="symbolic link to a folder inside the root, not followed",
                               quarantine=False))
        return None
    kind = special_kind(mode)
    if kind is not None:
        skipped.append(Skipped(path=shown, reason=f"symbolic link to a {kind}, never opened", quarantine=True))
        return None
    if target.suffix.lower() not in WANTED_EXTENSIONS and link.suffix.lower() not in WANTED_EXTENSIONS:
        skipped.append(Skipped(path=shown, reason="other file type", quarantine=False))
        return None
    return link


def skipped_summary(skipped: list[Skipped]) -> str:
    """Return one line counting the entries not read, by reason ("" when there are none)."""
    if not skipped:
        return ""
    counts: dict[str, int] = {}
    for entry in skipped:
        reason = entry.reason.split(" (to ")[0]
        counts[reason] = counts.get(reason, 0) + 1
    parts = ", ".join(f"{n} {reason}" for reason, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return f"not read: {len(skipped)} entr{'y' if len(skipped) == 1 else 'ies'} ({parts})"
