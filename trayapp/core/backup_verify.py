"""Reading a backup back (spec/backup.md «Verify»): the manifest, every member's size and
SHA-256 against it, ``PRAGMA integrity_check`` on the database copy.

``verify(path)`` never raises for a damaged file: it returns every fault found, in Russian,
each naming the member (``повреждён файл exchange/Входящие/...``). A member is never read past
the size its manifest gives, and one compressed beyond any real file (a ZIP bomb) is refused
unread. ``extract_member`` writes one member to a file, checking its hash on the way (a
restore uses it after ``verify``). No GUI, no settings.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from trayapp.core.progress import Progress, no_progress
from trayapp.fsutil import CHUNK, os_reason

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
DB_MEMBER = "database.sqlite"
SETTINGS_MEMBER = "settings.json"
FOLDERS = ("exchange", "reports")
FORMAT = 1
MAX_MANIFEST = 64 << 20
BOMB_RATIO = 500  # deflate of real files: text 5-20 times, a database 3-10 times
BOMB_MIN = 16 << 20  # smaller members cannot hurt whatever their ratio


@dataclass(frozen=True, slots=True)
class Member:
    path: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Verification:
    file: Path
    faults: list[str] = field(default_factory=list)
    manifest: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.faults

    def to_json(self) -> dict[str, Any]:
        return {"file": str(self.file), "ok": self.ok, "faults": self.faults}


class DamagedMember(Exception):
    """A member that does not read back as its manifest says."""


def safe_name(name: str) -> bool:
    """A member name a restore may write: relative, no ``..``, no drive, no backslash, under
    one of the folders or one of the known files."""
    if not name or "\\" in name or "\0" in name or name.startswith("/") or ":" in name:
        return False
    parts = PurePosixPath(name).parts
    if any(p in ("", ".", "..") for p in parts):
        return False
    return name in (MANIFEST, DB_MEMBER, SETTINGS_MEMBER) or (
        len(parts) >= 2 and parts[0] in FOLDERS
    )


def members_of(manifest: dict[str, Any]) -> list[Member]:
    """The manifest's members, each checked for its shape (ValueError otherwise)."""
    out = []
    for m in manifest["members"]:
        path, size, sha = m["path"], m["size"], m["sha256"]
        if not (isinstance(path, str) and isinstance(size, int) and isinstance(sha, str)
                and size >= 0 and len(sha) == 64):  # fmt: skip
            raise ValueError(f"member {m!r}")
        out.append(Member(path, size, sha.lower()))
    return out


def read_manifest(zf: zipfile.ZipFile) -> dict[str, Any]:
    """The manifest of an open backup; ValueError/KeyError when missing or unreadable."""
    info = zf.getinfo(MANIFEST)
    if info.file_size > MAX_MANIFEST:
        raise ValueError("too large")
    with zf.open(info) as f:
        data = json.loads(f.read(MAX_MANIFEST + 1).decode("utf-8"))
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("format")
    members_of(data)
    return data


def copy_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, member: Member,
                out: BinaryIO | None, tick: Callable[[int], None] = lambda n: None) -> None:  # fmt: skip
    """Read ``member`` (to ``out`` if given), never past its size; DamagedMember when its size,
    compression or SHA-256 is not what the manifest says."""
    if info.file_size != member.size:
        raise DamagedMember(f"размер {info.file_size} вместо {member.size}")
    if info.file_size >= BOMB_MIN and info.file_size > BOMB_RATIO * max(info.compress_size, 1):
        ratio = info.file_size // max(info.compress_size, 1)
        raise DamagedMember(f"сжат в {ratio} раз — похоже на ZIP-бомбу, не распаковывается")
    h = hashlib.sha256()
    size = 0
    try:
        with zf.open(info) as f:
            while chunk := f.read(CHUNK):
                size += len(chunk)
                if size > member.size:
                    raise DamagedMember(f"длиннее {member.size} байт")
                h.update(chunk)
                if out is not None:
                    out.write(chunk)
                tick(len(chunk))
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as exc:
        raise DamagedMember(str(exc)) from exc
    if size != member.size or h.hexdigest() != member.sha256:
        raise DamagedMember("контрольная сумма не совпадает")


def integrity(path: Path) -> str:
    """``PRAGMA integrity_check`` of an SQLite file ("ok" when whole)."""
    try:
        conn = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return str(exc)
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
        return "; ".join(str(r[0]) for r in rows[:5])
    except sqlite3.Error as exc:
        return str(exc)
    finally:
        conn.close()


def verify(path: Path, progress: Progress = no_progress, checked: str = "") -> Verification:
    """Every fault of the backup at ``path`` (none: it is whole), see the module docstring.
    ``checked``: the SHA-256 of a database copy whose ``integrity_check`` was run already
    (the backup just written): a member with that hash is hashed, not extracted again."""
    faults: list[str] = []
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        return Verification(path, [f"нет файла копии {path}"])
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        return Verification(path, [f"копия не читается как ZIP-архив (обрезана или "
                                   f"повреждена): {exc}"])  # fmt: skip
    with zf:
        infos: dict[str, zipfile.ZipInfo] = {}
        for zi in zf.infolist():
            if not safe_name(zi.filename):
                faults.append(f"недопустимое имя файла в копии: {zi.filename}")
            elif zi.filename in infos:
                faults.append(f"файл {zi.filename} записан в копии дважды")
            else:
                infos[zi.filename] = zi
        try:
            manifest = read_manifest(zf)
        except KeyError:
            return Verification(path, [*faults, f"нет описи {MANIFEST}"])
        except (ValueError, TypeError, UnicodeError, zipfile.BadZipFile, zlib.error,
                EOFError) as exc:  # fmt: skip
            return Verification(path, [*faults, f"опись {MANIFEST} не читается: {exc}"])
        members = members_of(manifest)
        total = sum(m.size for m in members)
        done = 0

        def tick(n: int) -> None:
            nonlocal done
            done += n
            progress("verify", done, total)

        listed = {m.path for m in members}
        for m in members:
            info = infos.get(m.path)
            if info is None:
                faults.append(f"нет файла {m.path}")
                continue
            faults += _check(zf, info, m, tick, checked)
        for name in infos:
            if name not in listed and name != MANIFEST:
                faults.append(f"лишний файл {name} (его нет в описи)")
        if manifest.get("database") == "sqlite" and DB_MEMBER not in listed:
            faults.append(f"нет файла {DB_MEMBER}")
    return Verification(path, faults, manifest)


def _check(zf: zipfile.ZipFile, info: zipfile.ZipInfo, m: Member,
           tick: Callable[[int], None], checked: str = "") -> list[str]:  # fmt: skip
    if m.path != DB_MEMBER or (checked and m.sha256 == checked):
        try:
            copy_member(zf, info, m, None, tick)
        except DamagedMember as exc:
            return [f"повреждён файл {m.path} ({exc})"]
        return []
    fd, tmp = tempfile.mkstemp(prefix=".~trayapp-verify.", suffix=".sqlite")
    try:
        with os.fdopen(fd, "wb") as out:
            copy_member(zf, info, m, out, tick)
        result = integrity(Path(tmp))
        if result != "ok":
            return [f"повреждена база данных {m.path}: {result}"]
        return []
    except DamagedMember as exc:
        return [f"повреждён файл {m.path} ({exc})"]
    except OSError as exc:
        return [f"база данных {m.path} не проверена: {os_reason(exc)}"]
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
