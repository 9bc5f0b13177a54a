#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Installs motcua on a fresh Debian 12 box for one or more roles:
#   sudo deploy/install.sh server              # queue server + nginx + weekly backup
#   sudo deploy/install.sh kiosk               # ticket kiosk on tty1 (cage)
#   sudo deploy/install.sh rating              # rating terminal at a counter (cage)
#   sudo deploy/install.sh board led-bridge    # hall board and counter LED boards
# Safe to run again: existing settings in /etc/motcua and the TLS key are kept.
# Each role gets only its own Debian packages and its locked Python packages
# (deploy/packages.sh, requirements/ROLE.lock, checked by hash): a device box gets
# no web server, database driver or test tool.
# Without internet, from a signed release (deploy/release.sh; deploy/releases.sh):
#   sudo deploy/install.sh --release /media/usb/motcua-0.2.0.tar kiosk
#   sudo deploy/install.sh --key /media/key/release-signing.pub --release ... kiosk
#                                        # the first time: pins the public key
#   sudo deploy/install.sh --rollback    # back to the release before
# Each release gets its own virtualenv under /opt/motcua/releases/; the units run
# /opt/motcua/current/..., switched atomically once the new one is complete.
# DESTDIR=/some/dir writes the files under that root only and changes nothing
# else (no packages, users or services) — for checking what would be installed.
# A release's virtualenv is built there too (it needs no network).
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
PREFIX=/opt/motcua
DESTDIR=${DESTDIR:-}
ROOT=${DESTDIR%/}

usage() {
  echo "usage: $0 [--key PUB] [--release DIR|TAR] server|kiosk|rating|board|led-bridge ..." >&2
  echo "       $0 --rollback" >&2
  exit 64
}
release='' key='' rollback=''
while [ $# -gt 0 ]; do
  case "$1" in
    --release) [ $# -ge 2 ] || usage; release=$2; shift 2 ;;
    --key) [ $# -ge 2 ] || usage; key=$2; shift 2 ;;
    --rollback) rollback=1; shift ;;
    -*) usage ;;
    *) break ;;
  esac
done
if [ -n "$rollback" ]; then
  if [ $# -ne 0 ] || [ -n "$release$key" ]; then usage; fi
else
  [ $# -ge 1 ] || usage
fi
for role in "$@"; do
  case "$role" in server|kiosk|rating|board|led-bridge) ;; *) usage ;; esac
done
if [ -z "$DESTDIR" ] && [ "$(id -u)" -ne 0 ]; then
  echo "run as root (sudo)" >&2
  exit 1
fi

# Side effects on the live system; skipped (and listed) with DESTDIR.
live() {
  if [ -n "$DESTDIR" ]; then echo "would run: $*"; else "$@"; fi
}
# shellcheck source=packages.sh
. "$SRC/deploy/packages.sh"
# shellcheck source=releases.sh
. "$SRC/deploy/releases.sh"
if [ -n "$rollback" ]; then
  rollback
  exit 0
fi
# Nothing from a release is used before its signature and every file check out.
if [ -n "$release" ] || [ -n "$key" ]; then
  signing_key "$key"
fi
if [ -n "$release" ]; then
  open_release "$release"
  verify_release "$RELEASE_DIR" "$SIGNING_KEY"
fi
has_role() { local r; for r in "${ROLES[@]}"; do [ "$r" = "$1" ] && return 0; done; return 1; }
ROLES=("$@")

put() {  # put MODE SOURCE TARGET: copy, replacing an older copy
  install -D -m "$1" "$2" "$ROOT$3"
}
keep() {  # keep MODE SOURCE TARGET: copy only when absent (settings the technician edits)
  [ -e "$ROOT$3" ] || install -D -m "$1" "$2" "$ROOT$3"
}

is_device() { has_role kiosk || has_role rating || has_role board || has_role led-bridge; }
has_screen() { has_role kiosk || has_role rating || has_role board; }
# The kiosk and the rating terminal are one program (motcua-kiosk --mode) and one unit.
if has_role kiosk && has_role rating; then
  echo "a box is a kiosk or a rating terminal, not both" >&2
  exit 64
fi

debs=(python3-venv)
[ -n "$release" ] || debs+=(rsync)
extras=()
for role in "${ROLES[@]}"; do
  read -ra role_packages <<<"$(role_debs "$role")"
  debs+=("${role_packages[@]}")
  extra=$(role_extra "$role")
  case " ${extras[*]} " in *" $extra "*) ;; *) extras+=("$extra") ;; esac
done
# The server serves time to the LAN (chrony); devices take it from the server.
has_role server && debs+=(nginx-light openssl postgresql-client chrony)
has_screen && debs+=(cage xwayland)
if is_device && ! has_role server; then debs+=(systemd-timesyncd); fi
if [ -n "$release" ]; then
  # Offline: only what is missing (an update needs none), from the box's apt
  # sources — the Debian medium or the centre's mirror.
  live apt_missing "${debs[@]}"
  # A new release directory with its own virtualenv from the release's wheelhouse
  # (no index; every file checked against the lock's hashes); from here on its
  # deploy/ files are the ones laid out.
  install_release "$RELEASE_DIR" "${extras[@]}"
  SRC=$ROOT$PREFIX/$INSTALLED
else
  live apt-get update -qq
  live env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${debs[@]}"

  # The code in /opt/motcua; its virtualenv gets the roles' locked packages, each
  # file checked against the lock's hashes, then motcua itself without dependencies.
  if [ "$SRC" != "$PREFIX" ]; then
    live rsync -a --delete --exclude .venv --exclude var --exclude tests/artifacts \
      --exclude /current --exclude /previous --exclude /releases "$SRC/" "$PREFIX/"
  fi
  [ -x "$ROOT$PREFIX/.venv/bin/python" ] || live python3 -m venv "$PREFIX/.venv"
  for extra in "${extras[@]}"; do
    live "$PREFIX/.venv/bin/pip" install -q --require-hashes -r "$PREFIX/requirements/$extra.lock"
  done
  live "$PREFIX/.venv/bin/pip" install -q --no-deps "$PREFIX"
fi

live adduser --system --group --home /var/lib/motcua --no-create-home motcua
if is_device; then
  live adduser --system --group --home /var/lib/motcua-device --no-create-home motcua-device
fi

units=()
if has_role server; then
  keep 0640 "$SRC/deploy/systemd/server.env.example" /etc/motcua/server.env
  keep 0640 "$SRC/deploy/site.example.toml" /etc/motcua/site.toml
  put 0644 "$SRC/deploy/nginx/motcua.conf" /etc/nginx/sites-available/motcua.conf
  # Staff allow-lists and HSTS names from the site file, regenerated on every run.
  mkdir -p "$ROOT/etc/motcua/nginx"
  python3 "$SRC/deploy/nginx/policy.py" "$ROOT/etc/motcua/site.toml" \
    > "$ROOT/etc/motcua/nginx/policy.conf"
  # nginx sized to the server behind it (policy.py): each worker's open files in a
  # main-context file Debian's nginx.conf includes, its connections in nginx.conf.
  mkdir -p "$ROOT/etc/nginx/modules-enabled"
  python3 "$SRC/deploy/nginx/policy.py" --limits \
    > "$ROOT/etc/nginx/modules-enabled/90-motcua-limits.conf"
  connections=$(python3 "$SRC/deploy/nginx/policy.py" --worker-connections)
  nginx_conf="$ROOT/etc/nginx/nginx.conf"
  if [ -e "$nginx_conf" ]; then
    sed -i -E "s/^([[:space:]]*worker_connections[[:space:]]+)[0-9]+;/\1$connections;/" \
      "$nginx_conf"
    grep -Eq "^[[:space:]]*worker_connections[[:space:]]+$connections;" "$nginx_conf" ||
      echo "warning: set 'worker_connections $connections;' in events {} of $nginx_conf" >&2
  fi
  mkdir -p "$ROOT/etc/nginx/sites-enabled"
  ln -sfn ../sites-available/motcua.conf "$ROOT/etc/nginx/sites-enabled/motcua.conf"
  rm -f "$ROOT/etc/nginx/sites-enabled/default"
  # The centre's CA and the server certificate for every address devices use: the
  # configured name (MOTCUA_SERVER_NAME, default motcua.local), this box's .local name,
  # loopback and its LAN addresses. Kept across runs; renewed when due or when a name
  # is missing (deploy/make-tls.sh). Devices pin the fingerprint it prints.
  read -ra lan <<<"$(hostname -I 2>/dev/null || true)"
  tls_fingerprint=$("$SRC/deploy/make-tls.sh" "$ROOT/etc/motcua/tls" \
    "${MOTCUA_SERVER_NAME:-motcua.local}" "$(hostname -s).local" localhost 127.0.0.1 ::1 \
    "${lan[@]}")
  units+=(motcua-server.service motcua-backup.service motcua-backup.timer
          motcua-report.service motcua-report.timer motcua-dossier-pull.service
          motcua-sms-lookup.service)
fi
if has_role kiosk || has_role rating; then
  keep 0640 "$SRC/deploy/kiosk/kiosk.env.example" /etc/motcua/kiosk.env
  units+=(motcua-kiosk.service)
fi
if has_role rating && grep -q '^MOTCUA_KIOSK_ARGS=--mode ticket$' "$ROOT/etc/motcua/kiosk.env"; then
  sed -i 's/^MOTCUA_KIOSK_ARGS=--mode ticket$/MOTCUA_KIOSK_ARGS=--mode rating/' \
    "$ROOT/etc/motcua/kiosk.env"
fi
if has_role board; then
  keep 0640 "$SRC/deploy/kiosk/board.env.example" /etc/motcua/board.env
  units+=(motcua-board.service)
fi
if has_screen; then
  put 0644 "$SRC/deploy/kiosk/90-motcua-sysrq.conf" /etc/sysctl.d/90-motcua-sysrq.conf
  put 0644 "$SRC/deploy/kiosk/logind-novt.conf" /etc/systemd/logind.conf.d/motcua-novt.conf
fi
if has_role led-bridge; then
  keep 0640 "$SRC/deploy/systemd/led-bridge.env.example" /etc/motcua/led-bridge.env
  units+=(motcua-led-bridge.service)
fi
for unit in "${units[@]}"; do
  put 0644 "$SRC/deploy/systemd/$unit" "/etc/systemd/system/$unit"
done

# Time: every box in the site's zone (site file, else Vietnam's); the server serves
# time to the staff and device networks; devices take it from the server's name.
timezone=$(python3 "$SRC/deploy/timesync.py" timezone "$ROOT/etc/motcua/site.toml")
if has_role server; then
  mkdir -p "$ROOT/etc/chrony/conf.d"
  python3 "$SRC/deploy/timesync.py" chrony "$ROOT/etc/motcua/site.toml" \
    > "$ROOT/etc/chrony/conf.d/motcua.conf"
elif is_device; then
  server_url=https://motcua.local
  for env in kiosk board led-bridge; do
    [ -e "$ROOT/etc/motcua/$env.env" ] || continue
    found=$(sed -n 's/^MOTCUA_SERVER_URL=//p' "$ROOT/etc/motcua/$env.env" | tail -n 1)
    if [ -n "$found" ]; then server_url=$found; fi
  done
  mkdir -p "$ROOT/etc/systemd/timesyncd.conf.d"
  python3 "$SRC/deploy/timesync.py" timesyncd "$server_url" \
    > "$ROOT/etc/systemd/timesyncd.conf.d/motcua.conf"
fi
put 0644 "$SRC/deploy/udev/99-motcua.rules" /etc/udev/rules.d/99-motcua.rules

live chgrp motcua "/etc/motcua/server.env" "/etc/motcua/site.toml" 2>/dev/null || true
for env in kiosk board led-bridge; do
  [ -e "$ROOT/etc/motcua/$env.env" ] && live chgrp motcua-device "/etc/motcua/$env.env"
done
# The units run /opt/motcua/current: now the release just installed (or this
# checkout itself), the one before kept as /opt/motcua/previous for --rollback.
if [ -n "$release" ]; then
  switch_current "$INSTALLED"
  pin_key
else
  live switch_current .
  if [ -n "$key" ]; then pin_key; fi
fi
live udevadm control --reload
live udevadm trigger
live systemctl daemon-reload
live timedatectl set-timezone "$timezone"
if has_role server; then
  live systemctl restart chrony.service
elif is_device; then
  live timedatectl set-ntp true
  live systemctl restart systemd-timesyncd.service
fi
if has_role server; then
  live systemctl enable --now motcua-server.service motcua-backup.timer motcua-report.timer
  live nginx -t
  live systemctl reload-or-restart nginx
fi
if has_screen; then
  live systemctl set-default graphical.target
  # Nothing but the app on the screen: no getty or autovt on tty2..6, no SysRq.
  live systemctl mask getty@tty2.service getty@tty3.service getty@tty4.service \
    getty@tty5.service getty@tty6.service autovt@.service
  live sysctl --system
fi
for unit in motcua-kiosk.service motcua-board.service motcua-led-bridge.service; do
  for u in "${units[@]}"; do
    [ "$u" = "$unit" ] && live systemctl enable "$unit"
  done
done
if [ -n "$release" ]; then
  live systemctl try-restart 'motcua-*.service'
fi

installed="motcua${RELEASE_VERSION:+ $RELEASE_VERSION} installed for: ${ROLES[*]}"
if [ -n "$release" ]; then
  installed+=" in $PREFIX/$INSTALLED"
  back=$(readlink "$ROOT$PREFIX/previous" 2>/dev/null || true)
  [ -z "$back" ] || installed+=$'\n'"  (back to $PREFIX/$back: $0 --rollback)"
fi
cat <<MSG
$installed
${tls_fingerprint:+$tls_fingerprint
  (devices: pin it when pairing, or use /etc/motcua/tls/ca.crt as MOTCUA_CA_FILE)
}Next (docs/technician.md):
  - edit /etc/motcua/*.env, then: systemctl restart motcua-*
  - server: sudo -u motcua MOTCUA_DATA_DIR=/var/lib/motcua $PREFIX/current/.venv/bin/motcua-server \\
      init --site /etc/motcua/site.toml
    and create the first admin with 'motcua-server create-user NAME --role admin'
    (it asks for the password; scripts use --password-stdin)
MSG
