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
# Two or more workers, one test file each (module fixtures start their servers once);
# most tests wait on processes and sockets, so this halves the time even on two cores.
exec .venv/bin/python -m pytest -n "${MOTCUA_TEST_WORKERS:-auto}" --maxprocesses 4 \
  --dist loadfile --cov --cov-report=term "$@"
