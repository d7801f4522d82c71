# Shared by scripts/run and scripts/test: a virtual environment with the pinned
# packages, and the Debian packages the engine needs. Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

need_debian_packages() {
  # $@: Debian package names. Installs them as root; otherwise prints the line and stops.
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    say "Installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "The engine needs these Debian packages, which are not installed: ${missing[*]}" >&2
    echo "Install them as root, then run this command again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
}

ensure_python() {
  local python="${PYTHON:-python3}"
  if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
    echo "Python 3.11 or newer is needed (found: $("$python" --version 2>&1))." >&2
    exit 1
  fi
  if [ ! -x "$PY" ]; then
    say "Creating the virtual environment in $VENV"
    if ! "$python" -m venv "$VENV" 2>/dev/null; then
      # Debian's python3 ships without ensurepip until python3-venv is installed.
      rm -rf "$VENV"
      need_debian_packages python3-venv
      "$python" -m venv "$VENV"
    fi
    "$PY" -m pip install -q --upgrade pip
  fi
}

ensure_requirements() {
  # $1: requirements file. Reinstalls only when the file changed since the last install.
  local req="$1" stamp="$VENV/.installed-$(basename "$1")"
  local sum
  sum="$(cat requirements*.txt | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
    say "Installing Python packages from $req"
    "$PY" -m pip install -q --disable-pip-version-check -r "$req"
    echo "$sum" > "$stamp"
  fi
}

RUNTIME_DEBIAN_PACKAGES=(libharfbuzz-subset0 fonts-noto-cjk)
TEST_DEBIAN_PACKAGES=(poppler-utils chromium)
