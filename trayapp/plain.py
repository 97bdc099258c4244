"""Text from outside (a server, a file) made safe to show or to write: no control characters.

A server's answer or a registry's field can hold ESC sequences (which a terminal obeys: colours,
a cleared screen, a title, a link), BEL, NUL, a carriage return that overwrites a line, the
C1 controls and the bidirectional overrides that make a name read backwards. ``text``
replaces each with ``?`` (tab and line feed are kept: our own messages use them); ``line``
also turns tab and line feed into a space, for one-line fields; ``markup`` escapes ``&``,
``<`` and ``>`` besides, for a notification body, which GNOME and KDE render as markup (links
included). Used where such text leaves us: the console (``console``), «События»
(``db.journal``), the notification (``ui.notify``) and the files we write (``formats``).
Imports only the standard library.
"""

from __future__ import annotations

import re

REPLACEMENT = "?"  # cp1251 and every console code page have it
# C0 but tab and line feed, DEL, C1; the bidi embeddings, overrides and isolates, the
# line and paragraph separators (a line break to some viewers)
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_LINE = re.compile("[\t\n]")


def text(s: str) -> str:
    """``s`` with every control character but tab and line feed replaced by ``?``."""
    if s.isprintable():  # the common case, checked in C
        return s
    return _CONTROLS.sub(REPLACEMENT, s)


def has_controls(s: str) -> bool:
    """Whether ``s`` holds any control character, tab and line feed included."""
    return not s.isprintable() and (_CONTROLS.search(s) is not None or _LINE.search(s) is not None)


def line(s: str) -> str:
    """One line: tab and line feed become a space, other controls ``?``."""
    if s.isprintable():
        return s
    return _LINE.sub(" ", _CONTROLS.sub(REPLACEMENT, s))


def markup(s: str) -> str:
    """For a notification body: controls replaced, ``&``, ``<``, ``>`` escaped."""
    return text(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
