"""pystray's xorg icon made to dock once, at its size, and to hear clicks (desktop.md).

pystray 0.19 on xorg (the backend a bare X session with a tray host such as trayer gets):

- creates the icon window 1x1 and without ``ButtonPressMask``, so a click is lost;
- lets the setup callback (``visible = True``) race the start of its loop: it reads
  ``self._thread`` before ``_run`` sets it, dies in its thread, and nothing docks;
- sends ``SYSTEM_TRAY_REQUEST_DOCK`` again at every change of the image (``_update_icon``
  calls ``_assert_docked``) and twice at start (``visible = True`` runs ``_update_icon`` and
  ``_show``). A tray host such as trayer makes a new socket for every request and moves the
  window into it; the old socket goes away and the window was seen left 1 px wide, or back on
  the root window 1x1 (never docked), at random.

``DockedIcon`` fixes this in the app: the window is created at ``SIZE`` with the button mask
and a UTF-8 name; a dock request is sent only when the window is not embedded (tracked from
``ReparentNotify``); a change of image only redraws; the icon is shown from its own loop's
thread; ``set_image`` and ``stop`` post to that loop over a second X connection without
waiting (the Tk thread never blocks on X, and a post is never stuck behind the loop's
``select``). Where the window
stays on the root (no host answered), the request is repeated every ``REDOCK_S`` seconds; a
window squeezed under ``MIN_SIZE`` asks the host for ``SIZE`` again. ``dock_state`` (on any
thread) says whether the icon is docked and at what size. Imported lazily: pystray's xorg
module needs a display at import time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import Xlib.display
import Xlib.X
import Xlib.Xutil
from PIL import Image
from pystray import _xorg

log = logging.getLogger(__name__)

SIZE = 24  # what the window asks for; hosts give the panel's height or this
MIN_SIZE = 16  # narrower than this is not a usable icon: ask for SIZE again
REDOCK_S = 2.0
UTF8_NAME = "Мои счета"
PANEL = (214, 214, 214)  # behind the rounded corners: close to the usual panel grey

Renderer = Callable[[int], Image.Image]  # the icon drawn at a size in pixels


class DockedIcon(_xorg.Icon):  # type: ignore[misc]  # pystray is untyped
    """A pystray xorg ``Icon`` that docks once and keeps its size; see the module doc."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._embedded = False
        self._requested_at = 0.0  # monotonic time of the last dock request, 0 = none
        self._size = (0, 0)
        self._pending: Renderer | None = None
        self._renderer: Renderer | None = None
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._asked_size_at = 0.0
        self._shown = 0
        super().__init__(*args, **kwargs)
        d = self._display
        self._root_id = d.screen().root.id
        self._set_image_atom = d.intern_atom("_TRAYAPP_SET_IMAGE")
        self._check_atom = d.intern_atom("_TRAYAPP_CHECK_DOCK")
        self._stop_atom = d.intern_atom("_TRAYAPP_STOP")
        # other threads post to the icon's loop over a connection of their own: a request
        # queued on the loop's connection while it sleeps in select() is not sent until
        # some event wakes it (python-xlib), which lost pystray's own dispatches at random
        self._poster = Xlib.display.Display()
        self._poster_window = self._poster.create_resource_object("window", self._window.id)
        self._post_lock = threading.Lock()
        base = self._message_handlers[Xlib.X.ClientMessage]

        def on_client_message(event: Any) -> None:
            if event.client_type == self._set_image_atom:
                self._apply_pending()
            elif event.client_type == self._check_atom:
                self._check_dock()
            elif event.client_type == self._stop_atom:
                self._window.destroy()
                self._display.flush()
            else:
                base(event)

        self._message_handlers[Xlib.X.ClientMessage] = on_client_message
        self._message_handlers[Xlib.X.ReparentNotify] = self._on_reparent
        self._message_handlers[Xlib.X.ConfigureNotify] = self._on_configure

    # ------------------------------------------------------------ the window

    def _create_window(self) -> Any:
        window = super()._create_window()
        d = self._display
        window.change_attributes(
            event_mask=Xlib.X.ExposureMask | Xlib.X.StructureNotifyMask | Xlib.X.ButtonPressMask
        )
        window.configure(width=SIZE, height=SIZE)
        window.set_wm_normal_hints(
            flags=Xlib.Xutil.PSize | Xlib.Xutil.PMinSize | Xlib.Xutil.PBaseSize,
            min_width=SIZE, min_height=SIZE, base_width=SIZE, base_height=SIZE,
            width=SIZE, height=SIZE)  # fmt: skip
        window.change_property(d.intern_atom("_NET_WM_NAME"), d.intern_atom("UTF8_STRING"), 8,
                               UTF8_NAME.encode())  # fmt: skip
        return window

    # ------------------------------------------------- pystray's hooks (icon thread)

    def _show(self) -> None:
        self._dock_once()

    def _update_icon(self) -> None:
        # never a new dock request here: only redraw (see the module doc)
        self._icon_data: Any = None
        if self._embedded:
            self._draw()
        self._icon_valid = True
        if not self._embedded and self._requested_at == 0.0 and self.visible:
            self._dock_once()

    def _run(self) -> None:
        # pystray sets _thread after _mark_ready has let the setup thread go: a setup that
        # runs first (``visible = True``) dies of an AttributeError and the icon never docks
        self._thread = threading.current_thread()
        threading.Thread(target=self._watch, name="trayapp-tray-dock", daemon=True).start()
        try:
            self._mark_ready()  # the setup callback (a no-op for this class) may run
            self.visible = True  # here, in the loop's thread: no dispatch through X needed
            self._mainloop()
        finally:
            self._done.set()
            with self._post_lock:
                self._poster.close()

    # ---------------------------------------------------------------- docking

    def _dock_once(self) -> None:
        if self._embedded:
            return
        manager = self._get_systray_manager()
        if not manager:
            log.warning("no tray host owns the system tray selection: the icon waits")
            return
        self._systray_manager = manager
        self._requested_at = time.monotonic()
        self._send_message(manager, self._net_system_tray_opcode,
                           self._SYSTEM_TRAY_REQUEST_DOCK, self._window.id)  # fmt: skip
        manager.change_attributes(event_mask=Xlib.X.StructureNotifyMask)
        self._display.flush()
        log.info("tray: dock requested")

    def _on_reparent(self, event: Any) -> None:
        if event.window.id != self._window.id:
            return
        self._embedded = event.parent.id != self._root_id
        log.info("tray: icon %s", "docked" if self._embedded else "back on the root window")
        if not self._embedded:
            self._requested_at = 0.0
            with self._lock:
                self._size = (0, 0)
            return
        geometry = self._window.get_geometry()
        with self._lock:
            self._size = (geometry.width, geometry.height)

    def _on_configure(self, event: Any) -> None:
        if event.window.id != self._window.id:
            return
        with self._lock:
            self._size = (event.width, event.height)
        now = time.monotonic()
        if (self._embedded and min(event.width, event.height) < MIN_SIZE
                and now - self._asked_size_at > REDOCK_S):  # fmt: skip
            self._asked_size_at = now
            log.warning("tray: icon squeezed to %dx%d: asking for %d px", event.width,
                        event.height, SIZE)  # fmt: skip
            self._window.configure(width=max(SIZE, event.width), height=max(SIZE, event.height))
            self._display.flush()
        self._draw()

    def _on_destroy_notify(self, event: Any) -> None:
        manager = self._systray_manager
        if manager is None or event.window.id != manager.id:
            return
        log.warning("tray: the tray host went away; the icon docks again when one appears")
        self._systray_manager = None
        self._embedded = False
        self._requested_at = 0.0

    def _assert_icon_data(self, width: int, height: int) -> None:
        """The image drawn at the window's size (not scaled: the badge's pixel font stays
        sharp), centred on the panel's grey."""
        if self._icon_data and self._icon_data.size == (width, height):
            return
        side = max(1, min(width, height))
        image = self._renderer(side) if self._renderer is not None else self._icon.resize(
            (side, side), Image.Resampling.LANCZOS)  # fmt: skip
        canvas = Image.new("RGBA", (width, height), PANEL + (255,))
        canvas.alpha_composite(image.convert("RGBA"), ((width - side) // 2, (height - side) // 2))
        data: Any = canvas.convert("RGB")
        data.tostring = data.tobytes  # what python-xlib's put_pil_image calls
        self._icon_data = data

    def _check_dock(self) -> None:
        if self._embedded or not self.visible:
            return
        if time.monotonic() - self._requested_at >= REDOCK_S:
            self._dock_once()

    def _watch(self) -> None:
        """Wake the icon thread every second to see whether it must ask to dock again."""
        while not self._done.wait(1.0):
            if not self._embedded and self.visible:
                self._post(self._check_atom)

    def _post(self, atom: int) -> None:
        with self._post_lock:
            if self._done.is_set():
                return
            try:
                self._poster.send_event(self._poster_window, Xlib.display.event.ClientMessage(
                    window=self._window.id, client_type=atom,
                    data=(32, (Xlib.X.CurrentTime, 0, 0, 0, 0))),
                    event_mask=Xlib.X.NoEventMask)  # fmt: skip
                self._poster.flush()
            except Exception:  # the window is gone: the icon is stopping
                log.debug("tray: cannot post to the icon window", exc_info=True)

    def stop(self) -> None:
        """End the icon's loop without waiting for it (pystray's ``stop`` waits on X)."""
        if getattr(self, "_running", False):
            self._post(self._stop_atom)
            self._running = False

    # ------------------------------------------------------- any thread

    def set_image(self, render: Renderer) -> None:
        """Show ``render(px)`` (drawn at the docked size) without waiting for the icon's thread."""
        if not self._running:  # the loop has not started: pystray shows it when it does
            self._renderer = render
            self._icon, self._icon_valid = render(SIZE), False
            return
        with self._lock:
            self._pending = render
        self._post(self._set_image_atom)

    def _apply_pending(self) -> None:
        with self._lock:
            render, self._pending = self._pending, None
        if render is not None:
            self._renderer = render
            self._icon = render(SIZE)
            self._update_icon()
            self._shown += 1
            log.info("tray: image %d shown (docked %s, %dx%d)", self._shown, self._embedded,
                     *self._size)  # fmt: skip

    def dock_state(self) -> tuple[bool, int, int]:
        """(docked, width, height) as the icon's thread last saw them."""
        with self._lock:
            return self._embedded, self._size[0], self._size[1]
