"""`trayapp import org` of another organisation (issue 19 defect 5): refused unless --replace.

Real processes and files: the association's ИНН and name stay, both ИНН are named, exit 1;
with ``--replace`` the new ones are loaded; the same ИНН with a new name loads as before.
"""

from __future__ import annotations

import json
from pathlib import Path

from .test_cli import run

ORG = "inn;name;bank_account;bik\n{inn};{name};40703810000000000001;045004774\n"


def org_file(tmp: Path, inn: str, name: str) -> Path:
    f = tmp / f"org_{inn}_{len(name)}.csv"
    f.write_text(ORG.format(inn=inn, name=name), encoding="utf-8")
    return f


def shown_inn(home: Path) -> str:
    r = run(home, "settings", "show")
    assert r.returncode == 0, r.stderr
    return next(ln for ln in r.stdout.splitlines() if ln.startswith("ИНН ТСЖ"))


def test_another_inn_is_refused_unless_replace(tmp_path: Path) -> None:
    home = tmp_path / "home"
    r = run(home, "import", "org", str(org_file(tmp_path, "5405001114", "ТСЖ «Берёзка»")))
    assert r.returncode == 0, r.stderr
    other = org_file(tmp_path, "5406002225", "ТСЖ «Сосны»")
    r = run(home, "import", "org", str(other))
    assert r.returncode == 1
    assert "5406002225" in r.stderr and "5405001114" in r.stderr and "--replace" in r.stderr
    assert "5405001114" in shown_inn(home)  # nothing changed
    # the same ИНН with a new name is no change of organisation
    r = run(home, "import", "org", str(org_file(tmp_path, "5405001114", "ТСЖ «Берёзка-2»")))
    assert r.returncode == 0, r.stderr
    r = run(home, "--json", "import", "org", str(other), "--replace")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["updated"] == 1
    assert "5406002225" in shown_inn(home)
