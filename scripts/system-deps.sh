#!/usr/bin/env bash
# OS packages the project needs beyond Python: a CJK font for chart labels. Idempotent and quiet.
set -euo pipefail
if fc-list 2>/dev/null | grep -qiE "Noto Sans CJK|WenQuanYi|Droid Sans Fallback"; then exit 0; fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
  echo "note: no CJK font found; install fonts-wqy-microhei for Chinese chart labels" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || true
apt-get install -y -qq --no-install-recommends fonts-wqy-microhei fontconfig >/dev/null 2>&1 \
  || echo "note: could not install fonts-wqy-microhei; charts will fall back to a Latin font" >&2
