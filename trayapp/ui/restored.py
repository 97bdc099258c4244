"""After a restore from a backup (spec/backup.md) every pane forgets the results it showed:
they told of the state before («Принят Readings_…: документ № 000002», «Документ … проведён»)
while the restored data may hold that registry pending again and no such document. The
window then reads everything afresh (``refresh``). Tk thread only; no core import.
"""

from __future__ import annotations

from typing import Any


def forget_results(win: Any) -> None:
    """``win``: the ``MainWindow``. Each pane's result line emptied, its «last» pointers
    dropped (the report and the file of another state), the loading lists cleared."""
    gen = win.generation
    gen.gen_result_var.set("")
    gen.last_generated = None
    gen.show_file_button.configure(state="disabled")
    pending = win.pending
    pending.accept_result_var.set("")
    pending.report_path = None
    pending.last_accepted = None
    win.data_panel.clear()
    win.update_buttons()
