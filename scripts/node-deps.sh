#!/usr/bin/env bash
# Node packages the browser tests inject into pages (axe-core, pinned in package.json and
# package-lock.json), installed into node_modules/ of the checkout when missing or outdated.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.installed-$(sha1sum package-lock.json | cut -c1-12)
[ -f "$stamp" ] && exit 0
npm ci --no-audit --no-fund --loglevel=error
touch "$stamp"
