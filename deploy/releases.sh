# shellcheck shell=bash disable=SC2034  # RELEASE_DIR, INSTALLED...: read by the caller
# What a release is, how it is checked and how a box switches between releases:
# sourced by deploy/release.sh (makes and signs one) and deploy/install.sh
# (--release installs one, --rollback goes back to the one before).
#
# A release is a directory motcua-VERSION/ (or a tar of it) holding the motcua
# wheel, wheelhouse/ (every file the roles' locks install), requirements/EXTRA.lock,
# deploy/ and docs/, SHA256SUMS over all of them, and SHA256SUMS.sig: an Ed25519
# signature of SHA256SUMS. A box takes a release only when the signature verifies
# with the key it pinned (/etc/motcua/release-signing.pub) and every file is the
# one listed. Installed releases live in PREFIX/releases/VERSION-WHEN-XXXX, each
# with its own virtualenv; PREFIX/current points at the running one and
# PREFIX/previous at the one before (systemd units run PREFIX/current/...).
# The caller sets ROOT (DESTDIR without its trailing slash), PREFIX and live().

PINNED_KEY=/etc/motcua/release-signing.pub

refuse() {  # refuse VIETNAMESE ENGLISH: stop, saying why in both languages
  printf 'Từ chối bản phát hành: %s\nRelease refused: %s\n' "$1" "$2" >&2
  exit 1
}

key_fingerprint() {  # key_fingerprint PUB: SHA-256 of the public key, in groups of four
  local digest
  digest=$(openssl pkey -pubin -in "$1" -outform DER 2>/dev/null | sha256sum) || {
    echo "(không đọc được / unreadable)"
    return 0
  }
  echo "${digest%% *}" | sed -E 's/(.{4})/\1 /g; s/ $//'
}

verify_release() {  # verify_release DIR PUB: the signature, then every file against SHA256SUMS
  local dir=$1 pub=$2 failed unlisted odd
  if [ ! -f "$dir/SHA256SUMS" ] || [ ! -f "$dir/SHA256SUMS.sig" ]; then
    refuse "thiếu SHA256SUMS hoặc chữ ký SHA256SUMS.sig trong $dir" \
      "SHA256SUMS or its signature SHA256SUMS.sig is missing in $dir"
  fi
  openssl pkeyutl -verify -pubin -inkey "$pub" -rawin -in "$dir/SHA256SUMS" \
    -sigfile "$dir/SHA256SUMS.sig" >/dev/null 2>&1 ||
    refuse "chữ ký không khớp khoá $(key_fingerprint "$pub"): bản này bị sửa hoặc do khoá khác ký" \
      "the signature does not match key $(key_fingerprint "$pub"): the release was altered or signed by another key"
  odd=$(find "$dir" ! -type f ! -type d -printf '%P\n')
  [ -z "$odd" ] ||
    refuse "có thứ không phải tệp thường: $odd" "not a regular file: $odd"
  failed=$(cd "$dir" && LC_ALL=C sha256sum --check --strict --quiet SHA256SUMS 2>/dev/null |
    sed -n 's/: FAILED.*$//p' | tr '\n' ' ') || true
  [ -z "$failed" ] ||
    refuse "tệp khác với SHA256SUMS: $failed" "files differ from SHA256SUMS: $failed"
  unlisted=$(comm -13 <(sed -E 's/^[0-9a-f]{64} [ *]//' "$dir/SHA256SUMS" | LC_ALL=C sort) \
    <(cd "$dir" && find . -type f ! -path ./SHA256SUMS ! -path ./SHA256SUMS.sig -printf '%P\n' |
      LC_ALL=C sort) | tr '\n' ' ')
  [ -z "$unlisted" ] ||
    refuse "tệp không có trong SHA256SUMS: $unlisted" "files not listed in SHA256SUMS: $unlisted"
}

open_release() {  # open_release PATH: sets RELEASE_DIR; a tar is unpacked into scratch space
  local path=$1
  if [ -d "$path" ]; then
    RELEASE_DIR=$(cd "$path" && pwd)
    return
  fi
  [ -f "$path" ] || refuse "không tìm thấy $path" "$path not found"
  SCRATCH=$(mktemp -d)
  trap 'rm -rf "$SCRATCH"' EXIT
  tar -xf "$path" -C "$SCRATCH" --no-same-owner --no-same-permissions ||
    refuse "không giải nén được $path" "cannot unpack $path"
  set -- "$SCRATCH"/*
  if [ -f "$SCRATCH/SHA256SUMS" ]; then
    RELEASE_DIR=$SCRATCH
  elif [ $# -eq 1 ] && [ -d "$1" ]; then
    RELEASE_DIR=$1
  else
    refuse "$path không chứa một bản phát hành" "$path holds no release"
  fi
}

release_wheel() {  # release_wheel DIR: sets RELEASE_WHEEL (file name) and RELEASE_VERSION
  local wheels=("$1"/motcua-*-py3-none-any.whl)
  if [ ${#wheels[@]} -ne 1 ] || [ ! -f "${wheels[0]}" ]; then
    refuse "cần đúng một gói motcua-*.whl trong $1" "expected exactly one motcua-*.whl in $1"
  fi
  RELEASE_WHEEL=${wheels[0]##*/}
  RELEASE_VERSION=${RELEASE_WHEEL#motcua-}
  RELEASE_VERSION=${RELEASE_VERSION%%-*}
}

signing_key() {  # signing_key [GIVEN]: sets SIGNING_KEY, the pinned key, else GIVEN (--key)
  local pinned="$ROOT$PINNED_KEY" given=${1:-}
  if [ -n "$given" ]; then
    openssl pkey -pubin -in "$given" -noout -text 2>/dev/null | grep -q '^ED25519 Public-Key' ||
      refuse "$given không phải khoá công khai Ed25519" "$given is not an Ed25519 public key"
  fi
  if [ -f "$pinned" ]; then
    [ -z "$given" ] || cmp -s "$given" "$pinned" ||
      refuse "khoá lạ $(key_fingerprint "$given"): máy này chỉ tin khoá đã ghim $(key_fingerprint "$pinned") ($PINNED_KEY); đổi khoá có chủ đích thì xoá tệp đó trước" \
        "unknown key $(key_fingerprint "$given"): this box trusts only the pinned key $(key_fingerprint "$pinned") ($PINNED_KEY); to change keys on purpose, remove that file first"
    SIGNING_KEY=$pinned
  elif [ -n "$given" ]; then
    SIGNING_KEY=$given
  else
    refuse "máy chưa ghim khoá ký: lần đầu hãy đưa --key FILE (khoá công khai, nhận trên phương tiện riêng)" \
      "no signing key is pinned on this box: the first time, give --key FILE (the public key, from separate media)"
  fi
}

pin_key() {  # pin_key: keeps SIGNING_KEY as the box's key (once; never replaced)
  local pinned="$ROOT$PINNED_KEY"
  [ -f "$pinned" ] && return 0
  install -D -m 0644 "$SIGNING_KEY" "$pinned"
  echo "release signing key pinned: $PINNED_KEY (SHA-256 $(key_fingerprint "$pinned"))"
}

populate_release() {  # populate_release DIR NEW EXTRA...: NEW's files and virtualenv, from DIR only
  local dir=$1 new=$2 extra pip broken
  shift 2
  cp -R "$dir/deploy" "$dir/docs" "$dir/requirements" "$dir/$RELEASE_WHEEL" \
    "$dir/SHA256SUMS" "$dir/SHA256SUMS.sig" "$new/" || return 1
  python3 -m venv "$new/.venv" || return 1
  pip=("$new/.venv/bin/python" -m pip install --quiet --isolated --disable-pip-version-check
       --no-index)
  for extra in "$@"; do
    "${pip[@]}" --find-links "$dir/wheelhouse" --require-hashes \
      -r "$dir/requirements/$extra.lock" || return 1
  done
  "${pip[@]}" --no-deps "$new/$RELEASE_WHEEL" || return 1
  broken=$("$new/.venv/bin/python" -m pip check --isolated 2>&1) || {
    echo "$broken" >&2
    return 1
  }
}

install_release() {  # install_release DIR EXTRA...: a new release beside the running one; sets INSTALLED
  local dir=$1 new
  shift
  release_wheel "$dir"
  mkdir -p "$ROOT$PREFIX/releases"
  new=$(mktemp -d "$ROOT$PREFIX/releases/$RELEASE_VERSION-$(date +%Y%m%d-%H%M%S)-XXXX")
  chmod 0755 "$new"
  if ! populate_release "$dir" "$new" "$@"; then
    rm -rf "$new"
    refuse "không cài được bản $RELEASE_VERSION (xem lỗi pip ở trên); bản đang chạy giữ nguyên" \
      "release $RELEASE_VERSION did not install (pip's error above); the running release is unchanged"
  fi
  INSTALLED=releases/${new##*/}
}

switch_current() {  # switch_current TARGET: current -> TARGET atomically; the old one is previous
  local base="$ROOT$PREFIX" old kept dir
  old=$(readlink "$base/current" 2>/dev/null || true)
  if [ -n "$old" ] && [ "$old" != "$1" ]; then
    ln -sfn "$old" "$base/.previous.new"
    mv -T "$base/.previous.new" "$base/previous"
  fi
  ln -sfn "$1" "$base/.current.new"
  mv -T "$base/.current.new" "$base/current"
  # Only the running release and the one before stay.
  kept=" $1 $(readlink "$base/previous" 2>/dev/null || true) "
  for dir in "$base"/releases/*/; do
    [ -d "$dir" ] || continue
    dir=${dir%/}
    case "$kept" in *" releases/${dir##*/} "*) ;; *) rm -rf "$dir" ;; esac
  done
}

check_installed() {  # check_installed DIR: its files as released, its virtualenv complete
  local dir=$1 failed
  [ -x "$dir/.venv/bin/python" ] ||
    refuse "$dir không có virtualenv" "$dir has no virtualenv"
  if [ -f "$dir/SHA256SUMS" ]; then  # a checkout install has none
    failed=$(cd "$dir" && grep -v '^[0-9a-f]* [ *]wheelhouse/' SHA256SUMS |
      LC_ALL=C sha256sum --check --strict --quiet 2>/dev/null | sed -n 's/: FAILED.*$//p' |
      tr '\n' ' ') || true
    [ -z "$failed" ] ||
      refuse "tệp của $dir bị thiếu hoặc bị sửa: $failed" "files of $dir are missing or changed: $failed"
  fi
  failed=$("$dir/.venv/bin/python" -m pip check --isolated 2>&1) ||
    refuse "virtualenv của $dir thiếu gói: $failed" "the virtualenv of $dir is missing packages: $failed"
}

rollback() {  # rollback: current back to previous (checked first), its units, restart
  local base="$ROOT$PREFIX" back unit
  back=$(readlink "$base/previous" 2>/dev/null) ||
    refuse "không có bản trước để quay lại ($PREFIX/previous)" \
      "there is no previous release to roll back to ($PREFIX/previous)"
  check_installed "$base/$back"
  for unit in "$ROOT"/etc/systemd/system/motcua-*; do
    [ -f "$base/$back/deploy/systemd/${unit##*/}" ] || continue
    install -m 0644 "$base/$back/deploy/systemd/${unit##*/}" "$unit"
  done
  switch_current "$back"
  live systemctl daemon-reload
  live systemctl try-restart 'motcua-*.service'
  echo "motcua: đã quay lại / rolled back to $PREFIX/$back"
}
