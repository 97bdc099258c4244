"""The emulated service behind the HTTP layer: accounts, tokens, faults, the data folder.

One ``Service`` per emulator: it checks the login, issues tokens, holds the faults, and
answers each stored upload (``answers.answer``) one at a time, so that the numbers of the
owners' registries never collide. ``recover()`` answers uploads a crash left unanswered.
Knows nothing of HTTP.
"""

from __future__ import annotations

import hmac
import logging
import threading
from datetime import datetime

from trayapp.emulator import answers
from trayapp.emulator.faults import Faults, Tokens
from trayapp.emulator.store import DataDir

log = logging.getLogger(__name__)


class Service:
    def __init__(
        self,
        store: DataDir,
        login: str,
        password: str,
        org: str | None,
        residents: bool,
        token_ttl: float,
        seed: int | None,
    ) -> None:
        self.store = store
        self.org = org
        self.residents = residents
        self.seed = seed
        self.faults = Faults()
        self.tokens = Tokens(token_ttl)
        self._login = login.encode("utf-8")
        self._password = password.encode("utf-8")
        self._answer_lock = threading.Lock()

    def check_login(self, login: str, password: str) -> bool:
        ok_login = hmac.compare_digest(login.encode("utf-8"), self._login)
        ok_password = hmac.compare_digest(password.encode("utf-8"), self._password)
        return ok_login and ok_password

    def answer_upload(self, name: str) -> None:
        """Answer ``outbox/<name>``; a failure is logged, the upload stays unanswered."""
        with self._answer_lock:
            try:
                answers.answer(
                    self.store, name, self.org, self.residents, self.seed, datetime.now()
                )
            except Exception:
                log.exception("ответ на %s не сформирован", name)

    def recover(self) -> None:
        """Answer the uploads stored but not answered before a stop or a crash."""
        for name in self.store.uploads():
            if answers.accepts(name) and not self.store.is_answered(name):
                log.info("ответ на %s, принятый до перезапуска", name)
                self.answer_upload(name)
