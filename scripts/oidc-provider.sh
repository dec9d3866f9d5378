#!/usr/bin/env bash
# The independent OpenID implementations the tests use, from npm, pinned, installed into .node/
# (gitignored): oidc-provider (the provider the identity tests log in through) and openid-client
# (the certified relying party that logs in through the city's own provider). Needs node and npm
# (scripts/system-deps.sh).
set -euo pipefail
PACKAGES=("oidc-provider@9.13.3" "openid-client@6.9.0")
cd "$(dirname "$0")/.."
missing=()
for spec in "${PACKAGES[@]}"; do
  name=${spec%@*} version=${spec##*@}
  installed=.node/node_modules/$name/package.json
  if ! { [ -f "$installed" ] && grep -q "\"version\": \"$version\"" "$installed"; }; then
    missing+=("$spec")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
command -v npm >/dev/null || { echo "npm is missing: run scripts/system-deps.sh" >&2; exit 1; }
mkdir -p .node
[ -f .node/package.json ] || echo '{"private": true}' > .node/package.json
npm install --prefix .node --no-audit --no-fund --save-exact "${missing[@]}" >/dev/null
echo "${missing[*]} installed in .node/"
