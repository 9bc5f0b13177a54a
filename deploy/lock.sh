#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Regenerates requirements/*.lock: for each role the exact versions, with the
# hashes of every file published for them, that deploy/install.sh installs with
# `pip install --require-hashes`. Run after changing a dependency in pyproject.toml
# (needs the package index and the dev extra: `.venv/bin/pip install -e ".[dev]"`).
# The test lock is solved first and every role's lock is held to it, so a box runs
# the very versions the suite ran.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=packages.sh
. deploy/packages.sh
UV=${UV:-.venv/bin/uv}

compile() {  # compile EXTRA [uv options...]
  local extra=$1; shift
  "$UV" pip compile pyproject.toml --quiet --extra "$extra" --generate-hashes \
    --universal --python-version 3.11 --no-emit-package motcua \
    --custom-compile-command "deploy/lock.sh" "$@" -o "requirements/$extra.lock"
}

mkdir -p requirements
compile test
for extra in $BOX_EXTRAS; do
  compile "$extra" --constraint requirements/test.lock
done
