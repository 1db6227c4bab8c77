#!/usr/bin/env bash
# Installs the pinned Claude Code CLI (@anthropic-ai/claude-code 2.1.190, npm) into
# benches/agent/node_modules for `npm run bench:agent`. Idempotent: when the pinned version is in
# place and its native binary answers `--version`, it does nothing.
#
#   bash benches/agent/setup.sh          # needs node >= 18 and the npm registry, nothing else
#
# `npm ci` installs exactly what package-lock.json pins (the wrapper package and, for this platform,
# the optional dependency @anthropic-ai/claude-code-<os>-<arch> that holds the ~225 MB native
# binary). It runs with --ignore-scripts, then the package's own postinstall (install.cjs) is run by
# hand: it only hard-links (or copies) the platform binary over the bin/claude.exe stub, nothing is
# downloaded. 2.1.190 is pinned because later releases require node >= 22 in `engines`.
#
# The CLI is never run against the network here: session.ts points it at a local fake upstream.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VERSION="2.1.190"
CLI="$HERE/node_modules/@anthropic-ai/claude-code/bin/claude.exe"

installed_version() {
  [ -x "$CLI" ] || return 0
  # A fresh config dir, so that a first run neither reads nor writes ~/.claude.
  local cfg
  cfg="$(mktemp -d)"
  CLAUDE_CONFIG_DIR="$cfg" DISABLE_AUTOUPDATER=1 DISABLE_TELEMETRY=1 \
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 "$CLI" --version 2>/dev/null | awk '{print $1}' || true
  rm -rf "$cfg"
}

if [ "$(installed_version)" = "$VERSION" ]; then
  echo "claude $VERSION already installed in benches/agent/node_modules"
  exit 0
fi

cd "$HERE"
npm ci --ignore-scripts --no-audit --no-fund --prefer-offline
node node_modules/@anthropic-ai/claude-code/install.cjs

got="$(installed_version)"
if [ "$got" != "$VERSION" ]; then
  echo "setup.sh: expected claude $VERSION, got '${got:-nothing}' (is the platform package" \
    "@anthropic-ai/claude-code-$(node -p 'process.platform + "-" + process.arch') installed?)" >&2
  exit 1
fi
echo "claude $VERSION ready in benches/agent/node_modules (run: npm run bench:agent)"
