#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Makes a signed release that boxes without internet install from
# (`deploy/install.sh --release PATH ROLE...`, docs/technician.md):
#   deploy/release.sh --new-key ~/motcua-release.key    # once: KEY and KEY.pub
#   deploy/release.sh --key ~/motcua-release.key [--out dist]
# builds OUT/motcua-VERSION/ and OUT/motcua-VERSION.tar from the committed HEAD:
# the motcua wheel (built with the checkout's locked setuptools), wheelhouse/ with
# every file the roles' locks install (downloaded by hash, wheels only: a box has
# neither the index nor a compiler), the locks, deploy/ and docs/, SHA256SUMS and
# its Ed25519 signature SHA256SUMS.sig (deploy/releases.sh checks both).
# Run it in a checkout set up with `deploy/setup.sh test`, on a Debian 12 machine
# of the boxes' architecture; only the download needs the package index.
# `--wheelhouse DIR` copies the dependency wheels from DIR instead (no index).
# The private key stays with the release maker: never on a release medium or a box.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=packages.sh
. deploy/packages.sh
# shellcheck source=releases.sh
. deploy/releases.sh
PYTHON=${PYTHON:-.venv/bin/python}

usage() {
  echo "usage: $0 --new-key KEY | --key KEY [--out DIR] [--wheelhouse DIR]" >&2
  exit 64
}

new_key() {  # new_key KEY: an Ed25519 key pair, KEY (private, 0600) and KEY.pub
  if [ -e "$1" ] || [ -e "$1.pub" ]; then
    echo "$1 or $1.pub exists: not overwritten" >&2
    exit 1
  fi
  (umask 077 && openssl genpkey -algorithm ed25519 -out "$1")
  openssl pkey -in "$1" -pubout -out "$1.pub"
  cat <<MSG
private key: $1 — keep it off release media and boxes, and back it up offline
public key:  $1.pub — SHA-256 $(key_fingerprint "$1.pub")
  give it to each box on separate media: install.sh --key $1.pub --release ...
MSG
}

key=${MOTCUA_RELEASE_KEY:-} out=dist wheelhouse=
while [ $# -gt 0 ]; do
  case "$1" in
    --new-key) [ $# -eq 2 ] || usage; new_key "$2"; exit 0 ;;
    --key) [ $# -ge 2 ] || usage; key=$(realpath -m "$2"); shift 2 ;;
    --out) [ $# -ge 2 ] || usage; out=$(realpath -m "$2"); shift 2 ;;
    --wheelhouse) [ $# -ge 2 ] || usage; wheelhouse=$(realpath -m "$2"); shift 2 ;;
    *) usage ;;
  esac
done
[ -n "$key" ] || usage
[ -f "$key" ] || { echo "no signing key $key (make one with --new-key)" >&2; exit 1; }
[ -x "$PYTHON" ] || { echo "no $PYTHON: run deploy/setup.sh test first (or set PYTHON)" >&2; exit 1; }
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "note: uncommitted changes are left out: the release is HEAD" >&2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/src"
git archive --format=tar HEAD | tar -xf - -C "$work/src"
version=$(python3 -c 'import sys, tomllib
print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' "$work/src/pyproject.toml")
name=motcua-$version
stage=$work/$name
mkdir -p "$stage/wheelhouse" "$stage/requirements"

"$PYTHON" -m pip wheel --quiet --isolated --no-deps --no-build-isolation \
  --wheel-dir "$stage" "$work/src"
for extra in $BOX_EXTRAS; do
  cp "$work/src/requirements/$extra.lock" "$stage/requirements/"
  if [ -z "$wheelhouse" ]; then
    "$PYTHON" -m pip download --quiet --no-deps --only-binary :all: --require-hashes \
      --dest "$stage/wheelhouse" -r "$stage/requirements/$extra.lock"
  fi
done
if [ -n "$wheelhouse" ]; then
  cp "$wheelhouse"/*.whl "$stage/wheelhouse/"
fi
# What a box will do, here first: every lock installs from the wheelhouse alone.
for extra in $BOX_EXTRAS; do
  "$PYTHON" -m pip install --dry-run --quiet --isolated --ignore-installed --no-index \
    --find-links "$stage/wheelhouse" --only-binary :all: --require-hashes \
    -r "$stage/requirements/$extra.lock"
done
cp -R "$work/src/deploy" "$work/src/docs" "$stage/"

(cd "$stage" && find . -type f -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' sha256sum) \
  > "$work/SHA256SUMS"
mv "$work/SHA256SUMS" "$stage/SHA256SUMS"
openssl pkeyutl -sign -rawin -inkey "$key" -in "$stage/SHA256SUMS" -out "$stage/SHA256SUMS.sig"
openssl pkey -in "$key" -pubout -out "$work/signing.pub"
verify_release "$stage" "$work/signing.pub"

mkdir -p "$out"
rm -rf "${out:?}/$name" "$out/$name.tar"
mv "$stage" "$out/$name"
tar --sort=name --owner=0 --group=0 --numeric-owner -cf "$out/$name.tar" -C "$out" "$name"
cat <<MSG
release $version: $out/$name.tar (and $out/$name/)
signed with key SHA-256 $(key_fingerprint "$work/signing.pub")
MSG
