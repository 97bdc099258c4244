"""Russian word forms: a count with the form of the word it counts (1 строка, 2 строки,
5 строк, 11 строк, 21 строка), for the texts of the command line and the core.

A base module: imports nothing of the app (``core`` and the command line both use it).
"""

from __future__ import annotations


def plural(n: int, one: str, few: str, many: str) -> str:
    """``n`` with the Russian form of the word: 1 строка, 2 строки, 5 строк."""
    if n % 10 == 1 and n % 100 != 11:
        word = one
    elif 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        word = few
    else:
        word = many
    return f"{n} {word}"
