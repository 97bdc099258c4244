"""The window's panes' widgets and state by the names they had when the window was one
class (``win.pending_tree``, ``win.month_var``, ``win.last_accepted`` …): scripts, the
benchmarks and the end-to-end tests use them. A mixin of ``window.MainWindow`` only; new
code asks the pane itself (``win.pending.tree``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from trayapp.core.accept import AcceptResult
from trayapp.core.registries import GenerateResult
from trayapp.ui.backend import Event, Snapshot

if TYPE_CHECKING:
    from trayapp.ui.data_panel import DataPanel
    from trayapp.ui.events_pane import EventsPane
    from trayapp.ui.footer import Footer
    from trayapp.ui.generation_pane import GenerationPane
    from trayapp.ui.header import HeaderBar
    from trayapp.ui.pending_pane import PendingPane


class OldNames:
    header: HeaderBar
    generation: GenerationPane
    pending: PendingPane
    footer: Footer
    events: EventsPane
    data_panel: DataPanel
    _snapshot: Snapshot | None

    def _aliases(self) -> None:
        """The panes' widgets by their old names (scripts and tests use them)."""
        h, g, p, f, e = self.header, self.generation, self.pending, self.footer, self.events
        self.logo_button, self.exchange_button, self.quit_button = (
            h.logo_button, h.exchange_button, h.quit_button)  # fmt: skip
        self.status_var, self.details_var, self.status_label = (
            h.status_var, h.details_var, h.status_label)  # fmt: skip
        self.month_var, self.month_button, self.month_menu = g.month_var, g.month_button, g.month_menu
        self.apartments_var, self.apartments_check = g.apartments_var, g.apartments_check
        self.gen_buttons, self.gen_result_var = g.gen_buttons, g.gen_result_var
        self.show_file_button, self.folder_button = g.show_file_button, g.folder_button
        self.pending_tree, self.accept_button, self.view_button = (
            p.tree, p.accept_button, p.view_button)  # fmt: skip
        self.report_button, self.xlsx_button, self.refresh_button = (
            p.report_button, p.xlsx_button, p.refresh_button)  # fmt: skip
        self.accept_result_var, self.bank = p.accept_result_var, p.bank
        self.message_var, self.message_label = f.message_var, f.message_label
        self.progress, self.step_var = f.progress, f.step_var
        self.events_tree, self.event_detail_var = e.tree, e.event_detail_var

    # the panes' state by the old names
    @property
    def snapshot(self) -> Snapshot | None:
        return self._snapshot

    @property
    def last_generated(self) -> GenerateResult | None:
        return self.generation.last_generated

    @last_generated.setter
    def last_generated(self, value: GenerateResult | None) -> None:
        self.generation.last_generated = value

    @property
    def last_accepted(self) -> AcceptResult | None:
        return self.pending.last_accepted

    @last_accepted.setter
    def last_accepted(self, value: AcceptResult | None) -> None:
        self.pending.last_accepted = value

    @property
    def report_path(self) -> Path | None:
        return self.pending.report_path

    @property
    def local_events(self) -> list[Event]:
        return self.events.local_events

    @property
    def _event_text(self) -> dict[str, str]:
        return self.events._event_text

    @property
    def _progress_on(self) -> bool:
        return self.footer._progress_on

    def generate(self, kind: str) -> None:
        self.generation.generate(kind)

    def selected_pending(self) -> str | None:
        return self.pending.selected()

    def accept_selected(self) -> None:
        self.pending.accept_selected()

    def open_event_file(self) -> None:
        self.events.open_event_file()

    def event_texts(self) -> list[str]:
        return self.events.texts()

    def open_folder(self) -> None:
        self.generation.open_folder()

    def _add_local_event(self, text: str, level: str = "error") -> None:
        self.events.add(text, level)

