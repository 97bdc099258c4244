"""The window's header: the logo button with the badge (a click: an exchange, in settings
mode back to work), «Обмен», «Выход», the title, the status line and what waits.

Built with the commands it runs; shown with ``show`` (Tk thread only). The logo is the tray
icon's image at 48 px, 72 px at 150 % (the badge's font is drawn in steps of 24 px).
"""

from __future__ import annotations

import logging
import tkinter as tk
from collections.abc import Callable
from tkinter import ttk
from typing import Any

from PIL import ImageTk

from trayapp.ui import icon
from trayapp.ui.common import NO_EXCHANGE, Fonts, fixed_labels

log = logging.getLogger(__name__)

HEADER_LINES = 3  # the status and what waits share them: the tabs below never jump


def tooltip(widget: tk.Widget, text: str) -> None:
    try:
        from tktooltip import ToolTip

        ToolTip(widget, msg=text, delay=0.6)
    except Exception:  # a missing or broken tooltip package costs the tooltips only
        log.debug("no tooltips", exc_info=True)


class HeaderBar(ttk.Frame):
    def __init__(self, master: tk.Misc, fonts: Fonts, scale: float, on_logo: Callable[[], None],
                 on_exchange: Callable[[], None], on_quit: Callable[[], None]) -> None:  # fmt: skip
        super().__init__(master)
        self.scale = scale
        self._images: list[Any] = []
        self.logo_image = self.photo(icon.IDLE, None, None)
        self.logo_button = ttk.Button(self, image=self.logo_image, command=on_logo)
        self.logo_button.pack(side="left")
        self.exchange_button = ttk.Button(self, text="Обмен", command=on_exchange)
        self.exchange_button.pack(side="left", padx=(6, 0))
        tooltip(self.exchange_button, "Сеанс обмена с «Мои счета»: отправить Исходящие, "
                                      "принять новые файлы")  # fmt: skip
        tooltip(self.logo_button, "Обмен с «Мои счета»: отправить Исходящие, принять новые "
                                  "файлы (в режиме настроек: вернуться к работе)")  # fmt: skip
        self.quit_button = ttk.Button(self, text="Выход", command=on_quit)
        self.quit_button.pack(side="right", anchor="n")
        tooltip(self.quit_button, "Закрыть программу (и значок в области уведомлений)")
        text = ttk.Frame(self)
        text.pack(side="left", fill="x", expand=True, padx=10)
        # the window's title bar names the program: the header's lines are the status's
        self.status_var = tk.StringVar(self, NO_EXCHANGE)
        # both wrap at the header's width (a long list of waiting files never widens the
        # window past the screen), in a fixed height (the tabs below never jump)
        self.details_var = tk.StringVar(self, "")
        frame, (self.status_label, self.details_label) = fixed_labels(
            text, [(self.status_var, {}), (self.details_var, {"foreground": "#555555"})],
            HEADER_LINES)  # fmt: skip
        frame.pack(fill="x")

    def photo(self, state: str, sent: int | None, received: int | None) -> Any:
        size = round(48 * self.scale / 24) * 24 or 48  # the badge's font: steps of 24 px
        photo = ImageTk.PhotoImage(icon.tray_image(state, sent, received, size), master=self)
        self._images = self._images[-8:] + [photo]
        return photo

    def show_logo(self, state: str, sent: int | None, received: int | None) -> None:
        self.logo_image = self.photo(state, sent, received)
        self.logo_button.configure(image=self.logo_image)

    def set_running(self, running: bool) -> None:
        state = "disabled" if running else "normal"
        self.exchange_button.configure(state=state)
        self.logo_button.configure(state=state)
