#!/usr/bin/env bash
# Refresh the widget's vendored socket.io client from npm (pinned in bot/web/frontend/package-lock.json):
# installs exactly the locked versions, copies the built browser bundle into
# bot/web/static/vendor/ and writes the licences of every package bundled in it.
set -euo pipefail
cd "$(dirname "$0")/.."
(cd bot/web/frontend && npm ci --ignore-scripts --no-audit --no-fund)
dist=bot/web/static/vendor
mkdir -p "$dist"
cp bot/web/frontend/node_modules/socket.io-client/dist/socket.io.min.js "$dist/"
{
  echo "socket.io.min.js bundles the following packages (all MIT licensed)."
  for pkg in socket.io-client engine.io-client engine.io-parser socket.io-parser @socket.io/component-emitter; do
    version=$(node -p "require('./bot/web/frontend/node_modules/$pkg/package.json').version")
    printf '\n===== %s %s =====\n\n' "$pkg" "$version"
    cat "bot/web/frontend/node_modules/$pkg/LICENSE"
  done
} > "$dist/socket.io.min.js.LICENSE.txt"
rm -f "$dist/socket.io-client.LICENSE"
echo "vendored socket.io-client $(node -p "require('./bot/web/frontend/node_modules/socket.io-client/package.json').version") into $dist"
