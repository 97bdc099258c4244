"""A workbook looked over before openpyxl reads it: no .xlsx may exhaust memory or the CPU.

An .xlsx is a zip of XML parts, and openpyxl believes what it unpacks: a 2 MB workbook whose
sharedStrings unpack to 2 GB took 11 GB of memory, a cell of 1 GB 13.7 GB. ``check(path)``
reads only the zip's directory and then streams each XML part once, in 64 KiB blocks, and
refuses (``AppError``, in Russian) a workbook that

- has more than ``MAX_PARTS`` parts, or parts packed otherwise than stored or deflated;
- unpacks to more than ``MAX_TOTAL`` in all, or a part to more than its own ceiling
  (``MAX_SHARED`` for sharedStrings, which openpyxl holds whole in memory; ``MAX_OTHER`` for
  parts other than worksheets);
- has a part above ``RATIO_FROM`` packed more than ``MAX_RATIO`` times (a real sheet: ~11);
- holds a text longer than ``MAX_CELL`` characters (Excel's own limit of a cell);
- declares a DTD (``<!DOCTYPE``, ``<!ENTITY``: billion laughs, external entities; Excel
  never writes one) or is not in UTF-8 (a UTF-16 part would hide such a declaration).

The directory's sizes can lie, but zipfile never unpacks more than a part's declared size
(and then fails its CRC), so the sizes checked are the most openpyxl can be handed. Imports
nothing of the UI; nothing but the standard library.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from trayapp.errors import AppError

MAX_PARTS = 10_000
MAX_TOTAL = 1 << 30  # 1 GiB unpacked in all (1,000,000 rows of accruals: ~200 MB)
MAX_SHARED = 100 << 20  # sharedStrings.xml: openpyxl keeps every string in a list
MAX_OTHER = 20 << 20  # styles, workbook, relations...: a few KB in real files
MAX_RATIO = 200  # unpacked / packed of one part (a real worksheet: ~11)
RATIO_FROM = 1 << 20  # parts under 1 MiB may pack as well as they like
MAX_CELL = 32_767  # characters of one cell: Excel's own limit
CHUNK = 1 << 16

_PACKED = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
OLE2_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")  # .xls, and an .xlsx encrypted with a password
# a text run between two tags of more than MAX_CELL bytes, tried only where a run starts (at a
# "<" or ">", which the engine skips to quickly, or at the block's start): linear time
_LONG_RUN = re.compile(rb"[<>]([^<>]{%d,})" % (MAX_CELL + 1))
_FIRST_RUN = re.compile(rb"([^<>]{%d,})" % (MAX_CELL + 1))
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_ENTITY = re.compile(rb"&(?:#[0-9]+|#x[0-9A-Fa-f]+|[A-Za-z]+);")


def check(path: Path) -> None:
    """Refuse ``path`` in Russian when its parts could exhaust memory; OSError as it comes."""
    name = path.name
    if name.startswith("~$"):
        raise AppError(
            f"Файл {name} — служебный файл Excel, который есть, пока книга «{name[2:]}» открыта; "
            f"это не таблица: выберите саму книгу «{name[2:]}»"
        )
    with open(path, "rb") as f:  # an OSError goes as it comes
        head = f.read(8)
    if head == OLE2_MAGIC:
        raise AppError(
            f"Файл {name} — книга старого формата Excel 97–2003 (.xls) или книга, защищённая "
            "паролем: откройте её в Excel и сохраните как «Книга Excel (.xlsx)» без пароля, "
            "или выгрузите в CSV"
        )
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            _check_parts(name, infos)
            for info in infos:
                if _is_xml(info.filename):
                    _check_xml(name, z, info)
    except AppError:
        raise
    except OSError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError,
            EOFError, zlib.error, ValueError) as exc:  # fmt: skip
        raise AppError(f"Файл {name} не читается как таблица Excel (.xlsx): {_zip_reason(exc)}. "
                       "Сохраните таблицу в Excel заново или выгрузите её в CSV") from exc


def _zip_reason(exc: BaseException) -> str:
    """zipfile's and zlib's English, said in Russian."""
    if isinstance(exc, zipfile.BadZipFile) and "not a zip file" in str(exc):
        return "это не книга Excel (.xlsx) или файл записан не до конца"
    if isinstance(exc, NotImplementedError):
        return "книга сжата способом, который не поддерживается"
    if isinstance(exc, RuntimeError) and "encrypted" in str(exc):
        return "книга зашифрована"
    return "архив книги повреждён"


def _refuse(name: str, why: str) -> AppError:
    return AppError(f"Файл {name} не принят: {why}. Сохраните таблицу в Excel заново "
                    "(«Сохранить как» .xlsx) или выгрузите её в CSV")  # fmt: skip


def _n(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def _mb(n: int) -> str:
    return _n(round(n / (1 << 20))) + " МБ"


def _is_xml(part: str) -> bool:
    return part.lower().endswith((".xml", ".rels", ".vml"))


def _ceiling(part: str) -> int:
    low = part.lower()
    if low.startswith("xl/worksheets/") and low.endswith(".xml"):
        return MAX_TOTAL
    if low.endswith("sharedstrings.xml"):
        return MAX_SHARED
    return MAX_OTHER


def _check_parts(name: str, infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_PARTS:
        raise _refuse(name, f"в книге {_n(len(infos))} частей, допустимо до {_n(MAX_PARTS)}")
    total = 0
    for info in infos:
        if info.compress_type not in _PACKED:
            raise _refuse(name, f"часть {info.filename} сжата способом, которого Excel не "
                          f"использует (№ {info.compress_type})")  # fmt: skip
        size = info.file_size
        total += size
        if size > _ceiling(info.filename):
            raise _refuse(name, f"часть {info.filename} распаковывается в {_mb(size)}, "
                          f"допустимо до {_mb(_ceiling(info.filename))}")  # fmt: skip
        if size > RATIO_FROM and size > MAX_RATIO * max(info.compress_size, 1):
            ratio = size // max(info.compress_size, 1)
            raise _refuse(name, f"часть {info.filename} сжата в {_n(ratio)} раз (из "
                          f"{_mb(size)}); так сжимают «бомбы», настоящий лист — в 10–30 раз")
    if total > MAX_TOTAL:
        raise _refuse(name, f"книга распаковывается в {_mb(total)}, допустимо до "
                      f"{_mb(MAX_TOTAL)}")  # fmt: skip


def _check_xml(name: str, z: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    part = info.filename
    with z.open(info) as f:
        first = True
        tail = b""
        while block := f.read(CHUNK):
            if first:
                if block.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in block[:4]:
                    raise _refuse(name, f"часть {part} записана не в UTF-8")
                first = False
            buf = tail + block
            if _DTD.search(buf):
                raise _refuse(name, f"часть {part} объявляет DTD (<!DOCTYPE> или <!ENTITY>): "
                              "в книгах Excel их не бывает, так устроены атаки «billion "
                              "laughs» и внешние сущности")  # fmt: skip
            runs: list[re.Match[bytes]] = []
            if _gap(buf):
                head = _FIRST_RUN.match(buf)
                runs = ([head] if head else []) + list(_LONG_RUN.finditer(buf))
            for m in runs:
                if _chars(m.group(1)) > MAX_CELL:
                    raise _refuse(name, f"в части {part} текст длиннее {_n(MAX_CELL)} знаков "
                                  "(предел ячейки Excel)")  # fmt: skip
            # the run in progress goes on into the next block (with 9 bytes, for a "<!DOCTYPE"
            # cut in two); it is shorter than MAX_CELL bytes, or it was counted above
            cut = max(buf.rfind(b"<"), buf.rfind(b">"))
            tail = buf[cut:] if cut >= 0 else buf
            if len(tail) > 10 * MAX_CELL + 16:  # counted already: keep only what a tag needs
                tail = tail[-16:]


def _gap(buf: bytes) -> bool:
    """Whether ``buf`` may hold a run of more than MAX_CELL bytes without "<" or ">": such a
    run covers a whole one of the aligned half-size windows, so a window holding neither is
    looked for (two ``find`` calls a window, each stopping at the first tag in real XML)."""
    half = (MAX_CELL + 1) // 2
    return any(buf.find(b"<", i, i + half) < 0 and buf.find(b">", i, i + half) < 0
               for i in range(0, len(buf) - half + 1, half))  # fmt: skip


def _chars(run: bytes) -> int:
    """Characters of a text run as a parser makes them (an entity is one)."""
    return len(_ENTITY.sub(b"x", run).decode("utf-8", "replace"))
