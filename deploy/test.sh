#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Installs what the tests need and runs them (SQLite and PostgreSQL suites): the
# tools only the tests use (a browser, shellcheck, nginx and systemd-analyze for
# the deploy files, PDF text extraction, psql) and every role's Python packages.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=packages.sh
. deploy/packages.sh
apt_missing chromium shellcheck poppler-utils nginx-light openssl cage systemd postgresql-client
bash deploy/setup.sh test
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy KIVY_NO_ARGS=1 KIVY_NO_CONSOLELOG=1
exec .venv/bin/python -m pytest --cov --cov-report=term "$@"
