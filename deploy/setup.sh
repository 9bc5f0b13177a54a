#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Installs what the given roles need on a fresh Debian box: their Debian packages
# (only those missing) and their locked Python packages into ./.venv, then this
# checkout itself (editable). Safe to run again: a role is reinstalled only when
# pyproject.toml or a lock file changed.
#   deploy/setup.sh server kiosk board rating    # deploy/demo.sh
#   deploy/setup.sh test                         # deploy/test.sh: every role and the test tools
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=packages.sh
. deploy/packages.sh

[ $# -ge 1 ] || { echo "usage: $0 server|kiosk|rating|board|led-bridge|test ..." >&2; exit 64; }
debs=(python3-venv)
extras=()
for role in "$@"; do
  extra=$(role_extra "$role") || { echo "unknown role: $role" >&2; exit 64; }
  read -ra role_packages <<<"$(role_debs "$role")"
  debs+=("${role_packages[@]}")
  extras+=("$extra")
done
apt_missing "${debs[@]}"

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
# The stamp lists the extras installed since pyproject.toml and the locks last changed.
stamp=.venv/.motcua-installed
for file in pyproject.toml requirements/*.lock; do
  if [ -f "$stamp" ] && [ "$file" -nt "$stamp" ]; then rm "$stamp"; fi
done
installed=" "
if [ -f "$stamp" ]; then installed=" $(tr '\n' ' ' <"$stamp")"; fi
todo=()
for extra in "${extras[@]}"; do
  case "$installed" in *" $extra "*) ;; *) todo+=("$extra") ;; esac
done
[ ${#todo[@]} -gt 0 ] || exit 0
.venv/bin/python -m pip install -q --upgrade pip >&2
for extra in "${todo[@]}"; do
  .venv/bin/python -m pip install -q --require-hashes -r "requirements/$extra.lock" >&2
done
.venv/bin/python -m pip install -q --no-deps -e . >&2
printf '%s\n' "${todo[@]}" >>"$stamp"
