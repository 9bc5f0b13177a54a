# shellcheck shell=bash
# What each role needs from Debian and from Python, in one place: sourced by
# deploy/setup.sh (a development or demo checkout) and deploy/install.sh (a box).
# The role `test` is every role at once; the tools only tests use are in deploy/test.sh.

# Kivy's window and input (SDL2 on EGL/GL, multitouch) and the font every screen,
# ticket and PDF report sets Vietnamese in.
KIVY_DEBS="libgl1 libegl1 libgl1-mesa-dri libmtdev1 fonts-dejavu-core"

# role_debs ROLE: the Debian packages the role's programs call or load.
role_debs() {
  case "$1" in
    # report fonts; pg_dump backups; the browser board's announcements (speech)
    server) echo "fonts-dejavu-core postgresql-client espeak-ng" ;;
    kiosk) echo "$KIVY_DEBS" ;;
    rating) echo "$KIVY_DEBS" ;;
    board) echo "$KIVY_DEBS espeak-ng alsa-utils" ;;        # announcements: speech, aplay
    led-bridge) echo "" ;;
    test) echo "$(role_debs server) $(role_debs kiosk) $(role_debs board)" ;;  # every role
    *) return 1 ;;
  esac
}

# The extras a box can install, each once (led-bridge installs the board's): the
# locks deploy/lock.sh makes for boxes and deploy/release.sh ships.
# shellcheck disable=SC2034  # read by lock.sh and release.sh
BOX_EXTRAS="server kiosk board rating"

# role_extra ROLE: the pyproject extra (and requirements/EXTRA.lock) of the role.
role_extra() {
  case "$1" in
    led-bridge) echo board ;;
    server|kiosk|rating|board|test) echo "$1" ;;
    *) return 1 ;;
  esac
}

# apt_missing PACKAGE...: installs those not installed yet (none: no apt-get at all).
apt_missing() {
  local p missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$p")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  echo "Installing Debian packages: ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
}
