"""The desktop part: tray icon (pystray), Tk window, badge; calls the core only.

Entry: ``trayapp.ui.tray.run_tray(home)``. Nothing here is imported by the core or the CLI
unless the tray is started.
"""
