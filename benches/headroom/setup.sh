#!/usr/bin/env bash
# Creates benches/headroom/.venv with the pinned headroom-ai (PyPI) that benches/headroom.ts runs
# side by side with headroom-native. Idempotent: re-running checks the pins and the tiktoken seed and
# does nothing else when they are in place.
#
#   bash benches/headroom/setup.sh          # needs python3.11 and access to PyPI (wheels only)
#
# Everything comes from PyPI as prebuilt wheels (--only-binary=:all:, nothing is compiled). The full
# dependency set is pinned in requirements.lock (pip freeze of a working install), so the resolver
# has nothing to choose. After setup nothing is downloaded at run time: the driver runs with
# HEADROOM_OFFLINE=1 and friends (see driver.py), and tiktoken's o200k_base/cl100k_base vocabularies
# are seeded from this repository's own copies (crates/headroom_tokens/data, byte-identical to
# OpenAI's files: tiktoken checks their sha256) instead of being fetched from
# openaipublic.blob.core.windows.net on first use.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VENV="$HERE/.venv"
PYTHON="${PYTHON:-python3.11}"
HEADROOM_VERSION="0.41.0"

if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "setup.sh: $PYTHON not found (set PYTHON=/path/to/python3.11)" >&2
  exit 1
fi

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi

installed="$("$VENV/bin/python" -c 'from importlib.metadata import version; print(version("headroom-ai"))' 2>/dev/null || true)"
if [ "$installed" != "$HEADROOM_VERSION" ] || ! "$VENV/bin/pip" check >/dev/null 2>&1; then
  "$VENV/bin/pip" install --disable-pip-version-check --only-binary=:all: -r "$HERE/requirements.lock"
fi

# tiktoken looks for <TIKTOKEN_CACHE_DIR>/<sha1(url)>; driver.py points TIKTOKEN_CACHE_DIR here.
CACHE="$VENV/tiktoken-cache"
mkdir -p "$CACHE"
for enc in o200k_base cl100k_base; do
  url="https://openaipublic.blob.core.windows.net/encodings/$enc.tiktoken"
  key="$(printf '%s' "$url" | sha1sum | cut -d' ' -f1)"
  cp -f "$ROOT/crates/headroom_tokens/data/$enc.tiktoken" "$CACHE/$key"
done

# Smoke test, offline: import, count with o200k (no download), one compress() call.
HEADROOM_OFFLINE=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 LITELLM_LOCAL_MODEL_COST_MAP=True \
  TIKTOKEN_CACHE_DIR="$CACHE" "$VENV/bin/python" - <<'EOF'
import tiktoken
from importlib.metadata import version
from headroom import compress
assert tiktoken.get_encoding("o200k_base").encode("hello world") == [24912, 2375]
compress([{"role": "user", "content": "hi"}], model="claude-sonnet-4-5", kompress_model="disabled")
print(f"headroom-ai {version('headroom-ai')} ready in benches/headroom/.venv (offline)")
EOF
