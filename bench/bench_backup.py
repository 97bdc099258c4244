"""Benchmark: a backup, and a restore, of a home with 100,000 accounts and a year of registries.

The home (made once under bench/out/backup_home): the database of ``make_db.py`` (100,000
accounts, 9.6 M accruals, payments, readings), and in the exchange folder a year of what the
association sends and receives: twelve Debts (the real one generated for 100,000 accounts,
under each month's name), Meters and Services, their Acks, and twenty Payments registries of
5,000 lines and one Readings of 20,000 a month. Target: ``trayapp backup`` (written, read back,
verified) under 30 s and 150 MB peak RSS; then ``trayapp restore --to-home`` of it. Each
command runs in a fresh child process, so that its peak RSS is its own.
Usage: python bench/bench_backup.py [--accounts N] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.make_db import make  # noqa: E402
from trayapp.core.db import Database  # noqa: E402
from trayapp.core.folders import ExchangeTree  # noqa: E402
from trayapp.core.registries import generate  # noqa: E402

OUT = ROOT / "bench" / "out"


def build(home: Path, accounts: int) -> None:
    data = home / "data"
    data.mkdir(parents=True)
    (home / "settings.json").write_text(json.dumps({"coding": "GOROD"}), encoding="utf-8")
    t = time.perf_counter()
    make(data / "trayapp.db", accounts)
    db = Database(data / "trayapp.db")
    tree = ExchangeTree(data / "Мои счета").ensure()
    today = date.today()
    made = {k: generate(db, tree, k, "GOROD", today).file for k in ("services", "debts", "meters")}
    numbers = [r[0] for r in db.all("SELECT number FROM accounts ORDER BY id LIMIT 20000")]
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    for month in range(12):
        day = today.replace(day=1) - timedelta(days=31 * month)
        for src in made.values():
            name = f"{src.name.split('_')[0]}_{day:%Y%m}05_001.txt"
            shutil.copyfile(src, tree.sent_ok / name)
            (tree.sent_ok / f"Ack_{name}").write_text(f"#ACK\n{name};OK\n", encoding="cp1251")
        for n in range(1, 21):
            lines = [f"{numbers[(n * 5000 + i) % len(numbers)]};{101 + i % 8};"
                     f"{(i * 37) % 5000 + 100}.{i % 100:02d};{day:%d.%m.%Y};"
                     f"{day:%Y%m}{n:02d}{i:06d};Иванов Иван Иванович;ул. Ленина, д. 1"
                     for i in range(5000)]  # fmt: skip
            text = f"#PAYMENTS\n#ORG 5401000001\n#ROWS {len(lines)}\n" + "\n".join(lines) + "\n"
            (tree.incoming_done / f"Payments_{day:%Y%m}{n:02d}_001.txt").write_bytes(
                text.encode("cp1251"))
        readings = "\n".join(f"{numbers[i % len(numbers)]};{i};{i * 13 % 99999}.{i % 1000:03d};{day:%d.%m.%Y}"
                             for i in range(20000))  # fmt: skip
        (tree.incoming_done / f"Readings_{day:%Y%m}25_001.txt").write_bytes(
            f"#READINGS\n{readings}\n".encode("cp1251"))
    for p in tree.outgoing.iterdir():
        p.unlink()
    print(f"home made in {time.perf_counter() - t:.0f} s")


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


RUN = ("import resource, sys\nfrom trayapp.cli import main\nrc = main(sys.argv[1:])\n"
       "u = resource.getrusage(resource.RUSAGE_SELF)\n"
       "sys.stderr.write(f'\\nmaxrss {u.ru_maxrss} {u.ru_utime + u.ru_stime}\\n')\n"
       "sys.exit(rc)\n")


def child(*args: str) -> tuple[float, float, float, str]:
    """(seconds, CPU seconds, its own peak RSS in MB, stdout) of ``trayapp ARGS`` in a fresh
    process (the CPU time tells what the wall time is on a machine others share)."""
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", RUN, *args], capture_output=True, text=True,
                       cwd=ROOT)  # fmt: skip
    took = time.perf_counter() - t
    if r.returncode:
        raise SystemExit(f"trayapp {' '.join(args)}: {r.stderr}")
    rss, cpu = [x.split()[1:] for x in r.stderr.splitlines() if x.startswith("maxrss ")][-1]
    return took, float(cpu), int(rss) / 1024, r.stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accounts", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    home = OUT / f"backup_home_{args.accounts}"
    if not (home / "data" / "trayapp.db").exists():
        shutil.rmtree(home, ignore_errors=True)
        build(home, args.accounts)
    db_mb = (home / "data" / "trayapp.db").stat().st_size / 1e6
    tree_mb = size_of(home / "data" / "Мои счета") / 1e6
    files = sum(1 for p in (home / "data" / "Мои счета").rglob("*") if p.is_file())
    print(f"home: database {db_mb:.0f} MB, exchange folder {tree_mb:.0f} MB in {files} files")
    for run in range(args.runs):
        shutil.rmtree(home / "data" / "backups", ignore_errors=True)
        took, cpu, rss, out = child("--home", str(home), "--json", "backup")
        info = json.loads(out)
        print(f"backup {run + 1}: {took:.1f} s (CPU {cpu:.1f} s), peak RSS {rss:.0f} MB, zip {info['size'] / 1e6:.0f} MB, {info['members']} "
              f"members, verified {info['verified']}")  # fmt: skip
        target = OUT / "backup_restored"
        shutil.rmtree(target, ignore_errors=True)
        took, cpu, rss, _ = child("--home", str(home), "restore", info["file"], "--to-home",
                                  str(target))  # fmt: skip
        print(f"restore --to-home {run + 1}: {took:.1f} s (CPU {cpu:.1f} s), peak RSS {rss:.0f} MB")
        shutil.rmtree(target, ignore_errors=True)
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
