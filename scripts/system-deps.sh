#!/usr/bin/env bash
# OS packages the project needs beyond Python: a CJK font for chart labels, and Debian's chromium with its
# chromedriver for the web console's browser tests (never a browser downloaded from elsewhere).
# Idempotent and quiet; without root or apt it only says what is missing.
set -euo pipefail
want=()
if ! fc-list 2>/dev/null | grep -qiE "Noto Sans CJK|WenQuanYi|Droid Sans Fallback"; then
  want+=(fonts-wqy-microhei fontconfig)
fi
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  want+=(chromium chromium-driver)
fi
[ ${#want[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
  echo "note: missing OS packages: ${want[*]} (Chinese chart labels; browser tests are skipped without chromium)" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
# another process may hold apt's lock: wait for it rather than fail
apt_get() { apt-get -o DPkg::Lock::Timeout=300 "$@"; }
if ! apt_get install -y -qq --no-install-recommends "${want[@]}" >/dev/null 2>&1; then
  apt_get update -qq >/dev/null 2>&1 || true
  apt_get install -y -qq --no-install-recommends "${want[@]}" >/dev/null 2>&1 \
    || echo "note: could not install ${want[*]}; charts may use a Latin font, browser tests are skipped" >&2
fi
