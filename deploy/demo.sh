#!/usr/bin/env bash
# Starts the whole system on its embedded default (SQLite, demo data, emulated devices).
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/setup.sh server kiosk board rating
exec .venv/bin/motcua-server demo "$@"
