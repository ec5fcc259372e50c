#!/usr/bin/env bash
# Python 3.13 on this Debian 12 machine, from Debian 13's own packages, without touching the system:
# downloads python3.13 and its libraries (glibc included) into a private folder, points the binary at
# that folder's loader and libraries (patchelf), and makes a venv with pip.
#
#   bash scripts/python3.13.sh [VENV_DIR]      # default: .venv-py313 (.ci/run uses it)
#   .venv-py313/bin/python -m pip install -r requirements-dev.txt
#
# The Debian mirror is the one this machine's apt already uses. Tested: CPython 3.13.5, the project's
# requirements-dev.txt installs and its non-browser tests pass.
set -euo pipefail
VENV=${1:-.venv-py313}
ROOT=${PY313_ROOT:-/opt/py313}
if [ ! -x "$ROOT/usr/bin/python3.13" ]; then
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  [ -n "$mirror" ] || mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list)
  work=$(mktemp -d)
  mkdir -p "$work/lists/partial" "$work/archives/partial" "$ROOT"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" > "$work/sources.list"
  O=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
     -o "Dir::State::Lists=$work/lists" -o "Dir::Cache::Archives=$work/archives"
     -o Dir::State::status=/dev/null -o Debug::NoLocking=1 -o APT::Architecture=amd64)
  apt-get "${O[@]}" update -qq
  apt-get "${O[@]}" install -qq --download-only -y --no-install-recommends \
    python3.13 python3.13-venv libpython3.13 libstdc++6 >/dev/null
  for f in "$work"/archives/*.deb; do dpkg -x "$f" "$ROOT"; done
  command -v patchelf >/dev/null || apt-get install -y -qq patchelf >/dev/null
  lib="$ROOT/usr/lib/x86_64-linux-gnu"
  patchelf --set-interpreter "$lib/ld-linux-x86-64.so.2" --force-rpath --set-rpath "$lib" "$ROOT/usr/bin/python3.13"
  rm -rf "$work"
fi
"$ROOT/usr/bin/python3.13" -m venv --without-pip "$VENV"
wheels=$(mktemp -d)
python3 -m pip download -q pip -d "$wheels"
whl=$(ls "$wheels"/pip-*.whl)
"$VENV/bin/python" "$whl/pip" install -q "$whl"
rm -rf "$wheels"
"$VENV/bin/python" -c 'import sys, ssl, sqlite3; print("ok:", sys.version.split()[0], sys.executable)'
