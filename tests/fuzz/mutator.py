"""Byte mutations of seed inputs, as a dumb coverage-less fuzzer makes them (AFL's havoc, in
small): bit flips, interesting bytes and tokens, deletions, duplications, line swaps, splices
with another seed. ``mutate(rng, seeds)`` gives one input; deterministic for a seeded rng."""

from __future__ import annotations

import random

TOKENS = [
    b"\r\n", b"\n", b"\r", b";", b";;", b"#", b"=", b",", b".", b"-", b" ", b"\t", b"\x00",
    b"\xff", b"\xfe", b"\xc2\xab", b"\xd0\xb1", b"\xef\xbb\xbf", b"\x98", b"\x1c", b"\xa0",
    b"0", b"00", b"9" * 20, b"-1", b"1e9", b"1,5", b"1.234", b"31.12.9999", b"29.02.2026",
    b"00.00.0000", b"13.2026", b"01.1899", b"24:00:00", b"#FORMAT MOISCHETA/1", b"#ROWS 1",
    b"#FILESUM 0.00", b"#CODING GOROD", b"#TYPE PAYMENTS", b"\xca\xee\xed\xe5\xf6\xd4\xe0\xe9"
    b"\xeb\xe0", "КонецФайла".encode("cp1251"), "СекцияДокумент=".encode("cp1251"),
    "Сумма=".encode("cp1251"), b'"', b'""', b'"a;b"', b"{", b"}", b"[", b"]", b"null",
    b"true", b"\\u0000", b"\\ud800", b"NaN", b"Infinity", b"1" * 400,
]


def mutate(rng: random.Random, seeds: list[bytes]) -> bytes:
    data = bytearray(rng.choice(seeds))
    for _ in range(1 + int(rng.expovariate(0.5))):
        op = rng.randrange(10)
        n = len(data)
        pos = rng.randrange(n + 1)
        if op == 0 and n:
            data[min(pos, n - 1)] ^= 1 << rng.randrange(8)
        elif op == 1 and n:
            data[min(pos, n - 1)] = rng.randrange(256)
        elif op in (2, 3):
            data[pos:pos] = rng.choice(TOKENS)
        elif op == 4 and n:
            end = min(n, pos + 1 + int(rng.expovariate(0.05)))
            del data[pos:end]
        elif op == 5 and n:
            end = min(n, pos + 1 + int(rng.expovariate(0.02)))
            data[pos:pos] = data[pos:end] * rng.randint(1, 4)
        elif op == 6:
            lines = bytes(data).split(b"\n")
            if len(lines) > 2:
                i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
                lines[i], lines[j] = lines[j], lines[i]
                data = bytearray(b"\n".join(lines))
        elif op == 7:
            other = rng.choice(seeds)
            cut = rng.randrange(len(other) + 1)
            data = data[:pos] + other[cut:]
        elif op == 8:  # a field between separators replaced by a token
            seps = [i for i, b in enumerate(data) if b in b";=\n,"]
            if len(seps) > 1:
                k = rng.randrange(len(seps) - 1)
                data[seps[k] + 1:seps[k + 1]] = rng.choice(TOKENS)
        elif op == 9 and n:
            end = min(n, pos + rng.randint(1, 8))
            data[pos:end] = bytes(rng.randrange(256) for _ in range(end - pos))
    return bytes(data[:200_000])
