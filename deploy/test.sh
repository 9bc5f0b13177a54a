#!/usr/bin/env bash
# Installs what the tests need and runs them (SQLite and PostgreSQL suites).
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/setup.sh
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy KIVY_NO_ARGS=1 KIVY_NO_CONSOLELOG=1
exec .venv/bin/python -m pytest --cov --cov-report=term "$@"
