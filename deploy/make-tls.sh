#!/usr/bin/env bash
# deploy/make-tls.sh DIR NAME...  — the centre's own CA and the certificate nginx serves.
#   DIR/ca.key, DIR/ca.crt      the local CA: made once, valid 10 years; its key stays here.
#   DIR/motcua.key, motcua.crt  the server certificate for every NAME (DNS names and IP
#                               addresses), signed by the CA, valid 825 days; motcua.crt
#                               holds it followed by the CA certificate (the chain).
# Run again (install.sh does, at every install): the CA is kept; the server certificate
# is made anew when missing, not signed by this CA, expiring within 30 days, or not
# naming every NAME. Devices trust the CA (its file, or its fingerprint pinned at
# pairing), so a renewed server certificate needs nothing on the devices.
# deploy/make-tls.sh --renew DIR [NAME...]  — a new server certificate now, whatever its
#   end date, from the CA already in DIR (never a new CA), for NAMEs or, without them,
#   for the names the current one carries. Then: systemctl reload nginx.
# Prints the CA's SHA-256 fingerprint: the one the fleet page and the devices show.
set -euo pipefail

CA_DAYS=3650
CERT_DAYS=825
RENEW_S=$((30 * 86400))

usage() { echo "usage: $0 DIR NAME... | $0 --renew DIR [NAME...]" >&2; exit 64; }
renew=false
if [ "${1:-}" = "--renew" ]; then renew=true; shift; fi
[ $# -ge 1 ] || usage
dir=$1
shift
if $renew; then
  # Devices trust this CA: renewing must never replace it.
  if [ ! -s "$dir/ca.key" ] || [ ! -s "$dir/ca.crt" ]; then
    echo "no CA in $dir: --renew keeps the CA, run without it to make one" >&2
    exit 1
  fi
  if [ $# -eq 0 ] && [ -s "$dir/motcua.crt" ]; then
    mapfile -t names < <(openssl x509 -in "$dir/motcua.crt" -noout -ext subjectAltName |
      tail -n +2 | tr ',' '\n' | sed -E 's/^ *(DNS|IP Address)://')
    set -- "${names[@]}"
  fi
fi
[ $# -ge 1 ] || usage
mkdir -p "$dir"
cd "$dir"
umask 077

is_ip() { [[ $1 =~ ^[0-9.]+$ || $1 == *:* ]]; }

if [ ! -s ca.key ] || [ ! -s ca.crt ]; then
  openssl req -x509 -new -newkey rsa:3072 -nodes -days "$CA_DAYS" -sha256 \
    -subj "/O=motcua/CN=motcua CA $(hostname -s)" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout ca.key -out ca.crt 2>/dev/null
  rm -f motcua.crt  # a new CA: the server certificate must be signed again
fi

names_all_match() {
  local name
  for name in "$@"; do
    if is_ip "$name"; then
      openssl x509 -in motcua.crt -noout -checkip "$name" | grep -q "does match" || return 1
    else
      openssl x509 -in motcua.crt -noout -checkhost "$name" | grep -q "does match" || return 1
    fi
  done
}

current() {
  [ -s motcua.key ] && [ -s motcua.crt ] &&
    openssl verify -CAfile ca.crt motcua.crt >/dev/null 2>&1 &&
    openssl x509 -in motcua.crt -noout -checkend "$RENEW_S" >/dev/null &&
    names_all_match "$@"
}

if $renew || ! current "$@"; then
  san=""
  for name in "$@"; do
    if is_ip "$name"; then san+="${san:+,}IP:$name"; else san+="${san:+,}DNS:$name"; fi
  done
  openssl req -new -newkey rsa:2048 -nodes -subj "/O=motcua/CN=$1" \
    -keyout motcua.key.new -out motcua.csr 2>/dev/null
  printf '%s\n' "subjectAltName=$san" "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" \
    "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid,issuer" >motcua.ext
  openssl x509 -req -in motcua.csr -CA ca.crt -CAkey ca.key -sha256 -days "$CERT_DAYS" \
    -set_serial "0x$(openssl rand -hex 16)" -extfile motcua.ext -out motcua.leaf 2>/dev/null
  cat motcua.leaf ca.crt >motcua.crt.new
  mv motcua.key.new motcua.key
  mv motcua.crt.new motcua.crt
  rm -f motcua.csr motcua.ext motcua.leaf
fi
chmod 600 ca.key motcua.key
chmod 644 ca.crt motcua.crt

fingerprint=$(openssl x509 -in ca.crt -noout -fingerprint -sha256)
echo "CA SHA-256 fingerprint: ${fingerprint#*=}"
