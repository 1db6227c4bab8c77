#!/usr/bin/env bash
# Installs the pinned Codex CLI (@openai/codex 0.169.0, npm) into benches/agent/codex/node_modules
# for the `headroom wrap codex` end-to-end test (__test__/wrap.spec.ts). Idempotent: when the
# pinned version is in place and answers `--version`, it does nothing.
#
#   bash benches/agent/setup-codex.sh     # needs node >= 16 and the npm registry, nothing else
#
# `npm ci` installs exactly what package-lock.json pins: the launcher package and, for this
# platform, the optional dependency that holds the native binary (~400 MB unpacked). No install
# scripts run. The CLI is only ever pointed at a local fake upstream by the tests.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/codex" && pwd)"
VERSION="0.169.0"
CLI="$HERE/node_modules/@openai/codex/bin/codex.js"

installed_version() {
  [ -f "$CLI" ] || return 0
  local home
  home="$(mktemp -d)"
  CODEX_HOME="$home" node "$CLI" --version 2>/dev/null | awk '{print $2}' || true
  rm -rf "$home"
}

if [ "$(installed_version)" = "$VERSION" ]; then
  echo "codex $VERSION already installed in benches/agent/codex/node_modules"
  exit 0
fi

cd "$HERE"
npm ci --ignore-scripts --no-audit --no-fund --prefer-offline

got="$(installed_version)"
if [ "$got" != "$VERSION" ]; then
  echo "setup-codex.sh: expected codex $VERSION, got '${got:-nothing}' (is the platform package for" \
    "$(node -p 'process.platform + "-" + process.arch') installed?)" >&2
  exit 1
fi
echo "codex $VERSION ready in benches/agent/codex/node_modules"
