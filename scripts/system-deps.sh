#!/usr/bin/env bash
# Debian packages ruxue needs beyond Python: a CJK font to embed in notices, poppler-utils and qpdf
# for the independent PDF checks, Chromium for the browser tests, ClamAV for the archive's virus
# check, libxml2-utils (xmllint) to validate METS and PREMIS independently, Node.js and npm to
# install axe-core (the browser tests' accessibility audit, scripts/node-deps.sh) and the
# independent OpenID provider the identity tests log in through (scripts/oidc-provider.sh).
# Installed when missing.
set -euo pipefail
missing=()
[ -f /usr/share/fonts/truetype/arphic/uming.ttc ] || missing+=(fonts-arphic-uming)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
command -v qpdf >/dev/null || missing+=(qpdf)
command -v chromium >/dev/null || missing+=(chromium)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
command -v clamscan >/dev/null || missing+=(clamav)
command -v zbarimg >/dev/null || missing+=(zbar-tools)
command -v xmllint >/dev/null || missing+=(libxml2-utils)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "please install: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q "${missing[@]}" >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null; }
