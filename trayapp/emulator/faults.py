"""Faults on demand and the emulator's tokens, both thread-safe.

``Faults`` holds what the next calls suffer: an error status (503 with ``Retry-After`` by
default) for the next N calls, a connection closed part way through the next N downloads or
uploads, a delay before every answer. ``Tokens`` issues bearer tokens that expire after a TTL
and can all be expired at once. No HTTP, no I/O; imports nothing of the app.
"""

from __future__ import annotations

import functools
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fail_count = 0
        self._fail_status = 503
        self._fail_retry_after: int | None = 1
        self._cut_download = (0, 0.5)
        self._cut_upload = (0, 0.5)
        self._slow = 0.0

    # ------------------------------------------------------------------ setting

    def fail_next(self, count: int, status: int = 503, retry_after: int | None = 1) -> None:
        if count < 0 or not 400 <= status <= 599:
            raise ValueError("fail_next: count >= 0, status 400..599")
        if retry_after is not None and retry_after < 0:
            raise ValueError("fail_next: retry_after >= 0")
        with self._lock:
            self._fail_count = count
            self._fail_status = status
            self._fail_retry_after = retry_after

    def cut_next_download(self, count: int = 1, fraction: float = 0.5) -> None:
        with self._lock:
            self._cut_download = _cut(count, fraction)

    def cut_next_upload(self, count: int = 1, fraction: float = 0.5) -> None:
        with self._lock:
            self._cut_upload = _cut(count, fraction)

    def slow(self, seconds: float) -> None:
        if not 0 <= seconds <= 600:
            raise ValueError("slow: 0..600 seconds")
        with self._lock:
            self._slow = float(seconds)

    def apply(self, spec: dict[str, Any], tokens: Tokens) -> None:
        """Apply a ``_control`` request body; ValueError on anything malformed."""
        known = {"fail_next", "cut_next_download", "cut_next_upload", "slow", "expire_tokens"}
        unknown = set(spec) - known
        if unknown:
            raise ValueError(f"unknown keys: {', '.join(sorted(unknown))}")
        # validate everything first, then apply: a bad request changes nothing
        actions: list[Callable[[], None]] = []
        if "fail_next" in spec:
            f = _object(spec["fail_next"], "fail_next", {"count", "status", "retry_after"})
            count = _int(f.get("count", 1), "count")
            status = _int(f.get("status", 503), "status")
            ra = f.get("retry_after", 1)
            retry_after = None if ra is None else _int(ra, "retry_after")
            if count < 0 or not 400 <= status <= 599 or (retry_after or 0) < 0:
                raise ValueError("fail_next: count >= 0, status 400..599, retry_after >= 0")
            actions.append(lambda: self.fail_next(count, status, retry_after))
        for key in ("cut_next_download", "cut_next_upload"):
            if key in spec:
                c = _object(spec[key], key, {"count", "fraction"})
                cut = _cut(_int(c.get("count", 1), "count"), _number(c.get("fraction", 0.5)))
                setter = (
                    self.cut_next_download if key == "cut_next_download" else self.cut_next_upload
                )
                actions.append(functools.partial(setter, *cut))
        if "slow" in spec:
            seconds = _number(spec["slow"])
            if not 0 <= seconds <= 600:
                raise ValueError("slow: 0..600 seconds")
            actions.append(lambda: self.slow(seconds))
        if "expire_tokens" in spec:
            if not isinstance(spec["expire_tokens"], bool):
                raise ValueError("expire_tokens: true or false")
            if spec["expire_tokens"]:
                actions.append(tokens.expire_all)
        for action in actions:
            action()

    # ------------------------------------------------------------------ taking

    def take_failure(self) -> tuple[int, int | None] | None:
        """The status (and Retry-After) the current call must answer, or None."""
        with self._lock:
            if self._fail_count <= 0:
                return None
            self._fail_count -= 1
            return self._fail_status, self._fail_retry_after

    def take_download_cut(self) -> float | None:
        with self._lock:
            count, fraction = self._cut_download
            if count <= 0:
                return None
            self._cut_download = (count - 1, fraction)
            return fraction

    def take_upload_cut(self) -> float | None:
        with self._lock:
            count, fraction = self._cut_upload
            if count <= 0:
                return None
            self._cut_upload = (count - 1, fraction)
            return fraction

    def delay(self) -> float:
        with self._lock:
            return self._slow

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "fail_next": {
                    "count": self._fail_count,
                    "status": self._fail_status,
                    "retry_after": self._fail_retry_after,
                },
                "cut_next_download": {
                    "count": self._cut_download[0],
                    "fraction": self._cut_download[1],
                },
                "cut_next_upload": {"count": self._cut_upload[0], "fraction": self._cut_upload[1]},
                "slow": self._slow,
            }


def _cut(count: int, fraction: float) -> tuple[int, float]:
    if count < 0 or not 0.0 <= fraction < 1.0:
        raise ValueError("cut: count >= 0, 0 <= fraction < 1")
    return count, float(fraction)


def _object(value: object, key: str, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict) or not set(value) <= allowed:
        raise ValueError(f"{key}: an object with keys {', '.join(sorted(allowed))}")
    return value


def _int(value: object, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{key}: an integer")
    return value


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("a number")
    return float(value)


class Tokens:
    """Bearer tokens valid for ``ttl`` seconds (monotonic clock)."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._expiry: dict[str, float] = {}

    def issue(self) -> str:
        token = secrets.token_urlsafe(32)
        now = time.monotonic()
        with self._lock:
            # forget tokens long expired, so that the table does not grow for ever
            stale = [t for t, exp in self._expiry.items() if exp < now - 3600]
            for t in stale:
                del self._expiry[t]
            self._expiry[token] = now + self.ttl
        return token

    def valid(self, token: str) -> bool:
        with self._lock:
            expiry = self._expiry.get(token)
        return expiry is not None and time.monotonic() < expiry

    def expire_all(self) -> None:
        with self._lock:
            for t in self._expiry:
                self._expiry[t] = 0.0
