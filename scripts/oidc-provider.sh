#!/usr/bin/env bash
# The independent OpenID provider the identity tests log in through: npm oidc-provider, pinned,
# installed into .node/ (gitignored). Needs node and npm (scripts/system-deps.sh).
set -euo pipefail
VERSION=9.13.3
cd "$(dirname "$0")/.."
installed=.node/node_modules/oidc-provider/package.json
if [ -f "$installed" ] && grep -q "\"version\": \"$VERSION\"" "$installed"; then exit 0; fi
command -v npm >/dev/null || { echo "npm is missing: run scripts/system-deps.sh" >&2; exit 1; }
mkdir -p .node
[ -f .node/package.json ] || echo '{"private": true}' > .node/package.json
npm install --prefix .node --no-audit --no-fund --save-exact "oidc-provider@$VERSION" >/dev/null
echo "oidc-provider $VERSION installed in .node/"
