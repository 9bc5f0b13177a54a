#!/usr/bin/env bash
# Installs what motcua needs on a fresh Debian box: Debian packages (only those
# missing) and the Python packages into ./.venv. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBS=(libzbar0 libgl1 libegl1 libgl1-mesa-dri libmtdev1 espeak-ng sox alsa-utils fonts-dejavu-core
      poppler-utils chromium nginx-light shellcheck cage systemd postgresql-client)
missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >&2
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=.venv/.motcua-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip >&2
  .venv/bin/python -m pip install -q -e ".[ui,test]" >&2
  touch "$stamp"
fi
