"""TCL_LIBRARY/TK_LIBRARY under a Cyrillic user name (tclpath.py): replaced by the ASCII short
path; the GetShortPathNameW call itself runs only on Windows (the workflow starts the
installed build from a Cyrillic folder)."""

from __future__ import annotations

from trayapp.ui.tclpath import ascii_library_paths

LONG = r"C:\Users\Бухгалтер\AppData\Local\Programs\trayapp\_internal\_tcl_data"
SHORT = r"C:\Users\9B0F~1\AppData\Local\Programs\trayapp\_internal\_tcl_data"


def test_a_cyrillic_library_path_becomes_its_short_form() -> None:
    env = {"TCL_LIBRARY": LONG, "TK_LIBRARY": LONG.replace("tcl", "tk"), "OTHER": "Ж"}
    asked: list[str] = []

    def short(p: str) -> str:
        asked.append(p)
        return p.replace("Бухгалтер", "9B0F~1")

    assert ascii_library_paths(env, short) == ["TCL_LIBRARY", "TK_LIBRARY"]
    assert env == {"TCL_LIBRARY": SHORT, "TK_LIBRARY": SHORT.replace("tcl", "tk"), "OTHER": "Ж"}
    assert asked == [LONG, LONG.replace("tcl", "tk")]


def test_ascii_paths_and_missing_short_names_are_left_alone() -> None:
    env = {"TCL_LIBRARY": r"C:\Users\buh\_tcl_data", "TK_LIBRARY": LONG}
    assert ascii_library_paths(env, lambda p: p) == []  # 8.3 names off on this volume
    assert env == {"TCL_LIBRARY": r"C:\Users\buh\_tcl_data", "TK_LIBRARY": LONG}
    assert ascii_library_paths({}, lambda p: p) == []
