#!/bin/sh
# Remove what installer/linux/install.sh installed for the current user.
#
#   installer/linux/uninstall.sh [--purge]
#
# Removes the virtual environment ($XDG_DATA_HOME/trayapp/venv), the launcher
# ($XDG_BIN_HOME/trayapp), the menu entry, the icons and the autostart entry. The settings
# (~/.config/trayapp), the database and the exchange folder (~/.local/share/trayapp) and the
# logs (~/.local/state/trayapp) are kept, so that installing again goes on where it stopped;
# --purge removes them too (and the password saved in the keyring). An exchange folder set
# elsewhere (trayapp settings set folder ...) is the user's and is never removed.
set -eu

purge=0
while [ $# -gt 0 ]; do
  case "$1" in
    --purge) purge=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "uninstall.sh: неизвестный параметр: $1 (см. --help)" >&2; exit 2 ;;
  esac
  shift
done

data_home=${XDG_DATA_HOME:-$HOME/.local/share}
config_home=${XDG_CONFIG_HOME:-$HOME/.config}
state_home=${XDG_STATE_HOME:-$HOME/.local/state}
cache_home=${XDG_CACHE_HOME:-$HOME/.cache}
bin_home=${XDG_BIN_HOME:-$HOME/.local/bin}
app_dir=$data_home/trayapp
venv=$app_dir/venv

if [ -x "$venv/bin/python" ]; then
  # the running tray would keep its files open; the program removes its own autostart entry
  if command -v pkill >/dev/null 2>&1; then
    pkill -u "$(id -u)" -f "^$venv/bin/python.* $venv/bin/trayapp( |\$)" 2>/dev/null || true
  fi
  "$venv/bin/python" -c 'from trayapp import autostart; autostart.set_enabled(False)' || true
  if [ "$purge" = 1 ]; then
    "$venv/bin/python" - <<'EOF' || true
import keyring
from trayapp import settings
from trayapp.paths import AppPaths

paths = AppPaths.resolve(None)
try:
    s = settings.load(paths)
except Exception:
    s = None
if s is not None:
    if s.login:
        try:
            keyring.delete_password(settings.KEYRING_SERVICE, s.login)
        except Exception:
            pass
    if s.folder and not s.exchange_folder(paths).resolve().is_relative_to(paths.data_dir.resolve()):
        print(f"Каталог обмена {s.exchange_folder(paths)} оставлен: он задан в настройках")
EOF
  fi
fi

rm -rf "$venv"
rm -f "$bin_home/trayapp"
rm -f "$data_home/applications/trayapp.desktop"
rm -f "$config_home/autostart/trayapp.desktop"
for size in 16 32 48 64 128 256; do
  rm -f "$data_home/icons/hicolor/${size}x${size}/apps/trayapp.png"
done

if [ "$purge" = 1 ]; then
  rm -rf "$app_dir" "$config_home/trayapp" "$state_home/trayapp" "$cache_home/trayapp"
  echo "Удалены программа, настройки, база данных, журналы и каталог обмена по умолчанию."
else
  rmdir "$app_dir" 2>/dev/null || true
  echo "Программа удалена. Настройки и данные оставлены: $config_home/trayapp, $app_dir" \
       "(удалить и их: uninstall.sh --purge)."
fi
# the folders install.sh may have made, where they are now empty
for size in 16 32 48 64 128 256; do
  rmdir "$data_home/icons/hicolor/${size}x${size}/apps" "$data_home/icons/hicolor/${size}x${size}" \
    2>/dev/null || true
done
for dir in "$data_home/icons/hicolor" "$data_home/icons" "$data_home/applications" \
           "$config_home/autostart" "$bin_home"; do
  rmdir "$dir" 2>/dev/null || true
done
if [ "$purge" = 1 ]; then  # the base folders, where nothing else is left in them
  for dir in "$data_home" "$state_home" "$cache_home" "$HOME/.local" "$config_home"; do
    rmdir "$dir" 2>/dev/null || true
  done
fi
exit 0
