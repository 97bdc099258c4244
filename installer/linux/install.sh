#!/bin/sh
# Install trayapp («Мои счета») for the current user, without root.
#
#   installer/linux/install.sh [--no-autostart] [--from SOURCE] [--python PYTHON]
#
# SOURCE is what pip installs: this checkout (the default), a wheel or an sdist. It puts
#   the program in its own virtual environment  $XDG_DATA_HOME/trayapp/venv
#   a launcher                                  $XDG_BIN_HOME/trayapp (~/.local/bin)
#   a menu entry                                $XDG_DATA_HOME/applications/trayapp.desktop
#   the icon                                    $XDG_DATA_HOME/icons/hicolor/<N>x<N>/apps/trayapp.png
#   autostart (unless --no-autostart)           $XDG_CONFIG_HOME/autostart/trayapp.desktop
# ($XDG_DATA_HOME defaults to ~/.local/share, $XDG_CONFIG_HOME to ~/.config). Settings, the
# database and the exchange folder are the program's own (~/.config/trayapp,
# ~/.local/share/trayapp); installing again upgrades the program and keeps them.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
source_arg=$(cd "$here/../.." && pwd)
autostart=1
python=${PYTHON:-python3}

while [ $# -gt 0 ]; do
  case "$1" in
    --no-autostart) autostart=0 ;;
    --from) source_arg=$2; shift ;;
    --python) python=$2; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "install.sh: неизвестный параметр: $1 (см. --help)" >&2; exit 2 ;;
  esac
  shift
done

data_home=${XDG_DATA_HOME:-$HOME/.local/share}
config_home=${XDG_CONFIG_HOME:-$HOME/.config}
bin_home=${XDG_BIN_HOME:-$HOME/.local/bin}
app_dir=$data_home/trayapp
venv=$app_dir/venv

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  echo "install.sh: нужен Python 3.10 или новее ($python)" >&2
  exit 1
fi
if ! "$python" -c 'import tkinter' 2>/dev/null; then
  echo "install.sh: предупреждение: нет tkinter, окно программы не откроется" \
       "(Debian/Ubuntu: sudo apt install python3-tk); команды trayapp работают" >&2
fi

echo "Установка в $venv"
mkdir -p "$app_dir"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "$source_arg"
"$venv/bin/trayapp" --version

# the launcher
mkdir -p "$bin_home"
cat > "$bin_home/trayapp.tmp" <<EOF
#!/bin/sh
# trayapp launcher (installer/linux/install.sh); removed by uninstall.sh
exec "$venv/bin/trayapp" "\$@"
EOF
chmod 755 "$bin_home/trayapp.tmp"
mv -f "$bin_home/trayapp.tmp" "$bin_home/trayapp"

# the icon, from the package's copy of assets/
assets=$("$venv/bin/python" -c 'import pathlib, trayapp; print(pathlib.Path(trayapp.__file__).parent / "assets")')
for size in 16 32 48 64 128 256; do
  dir=$data_home/icons/hicolor/${size}x${size}/apps
  mkdir -p "$dir"
  cp -f "$assets/logo_$size.png" "$dir/trayapp.png"
done

# the menu entry
exec_line=$("$venv/bin/python" -c 'import sys; from trayapp.autostart import desktop_quote as q; print(" ".join(q(a) for a in sys.argv[1:]))' "$bin_home/trayapp" tray)
mkdir -p "$data_home/applications"
cat > "$data_home/applications/trayapp.desktop" <<EOF
[Desktop Entry]
Type=Application
Name=Мои счета
GenericName=Обмен реестрами
Comment=Обмен реестрами ТСЖ с сервисом «Мои счета»
Exec=$exec_line
Icon=trayapp
Terminal=false
Categories=Office;Finance;
StartupWMClass=trayapp
EOF

# autostart: the same entry «trayapp settings set autostart 1» writes (trayapp/autostart.py)
if [ "$autostart" = 1 ]; then
  "$venv/bin/python" -c 'from trayapp import autostart; autostart.set_enabled(True); print("Автозапуск:", autostart.entry_location())'
else
  "$venv/bin/python" -c 'from trayapp import autostart; autostart.set_enabled(False)'
fi

case ":$PATH:" in
  *":$bin_home:"*) ;;
  *) echo "Добавьте $bin_home в PATH, чтобы запускать trayapp из терминала." ;;
esac
echo "Готово: «Мои счета» в меню приложений; из терминала: trayapp --help"
