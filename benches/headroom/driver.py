"""Runs headroom's (PyPI `headroom-ai`) public `compress()` on request bodies, for benches/headroom.ts.

Protocol (newline-delimited JSON, one process for the whole run):
  stdin : {"id": ..., "body": <Anthropic or OpenAI request body>, "mode": "default"|"aggressive",
           "repeat": N (optional, default 1)}
  stdout: {"id", "mode", "tokens_before", "tokens_after" (headroom's own counts), "ms" (median wall
           time of one compress() call over the repeats, headroom's result cache emptied before each),
           "ms_all" (every repeat), "ms_warm" (one more call on a warm cache), "peak_alloc_kb"
           (tracemalloc peak of one extra traced call), "max_rss_kb" (process peak RSS so far),
           "transforms", "body" (the compressed request body), "error"?}
  A first line {"ready": true, "version": ...} is written once the package is imported.

Run it with the environment benches/headroom/setup.sh documents (HEADROOM_OFFLINE=1 etc.); the
driver sets the same defaults itself so a bare `python driver.py` never reaches the network.
"""

from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(HERE, ".venv")

# Offline before anything from headroom (or litellm, which it imports) is loaded.
for key, value in {
  "HEADROOM_OFFLINE": "1",  # headroom's own air-gap switch (no model, telemetry, update egress)
  "HF_HUB_OFFLINE": "1",  # Hugging Face hub: cached files only
  "TRANSFORMERS_OFFLINE": "1",
  "HEADROOM_TELEMETRY": "off",
  "HEADROOM_BEACON": "off",
  "DO_NOT_TRACK": "1",
  "LITELLM_LOCAL_MODEL_COST_MAP": "True",  # litellm: no pricing-table fetch at import
  "TIKTOKEN_CACHE_DIR": os.path.join(VENV, "tiktoken-cache"),  # seeded by setup.sh
}.items():
  os.environ.setdefault(key, value)

import json  # noqa: E402
import logging  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from importlib.metadata import version  # noqa: E402

logging.disable(logging.WARNING)  # headroom logs warnings to stderr; keep the protocol clean

from headroom import compress  # noqa: E402

# "aggressive": the most aggressive knobs compress() documents (CompressConfig fields): compress
# user messages too, protect nothing positionally, Kompress keep ratio 0.1 (the agent-90 profile's
# value), the agent-90 profile's lower message floor, no analysis-intent protection. Kompress itself
# (the ML text compressor) needs the `ml` extra and a model download, so it is off in both modes
# (see README): kompress_model="disabled" keeps headroom from trying to load it.
MODES = {
  "default": {},
  "aggressive": {
    "compress_user_messages": True,
    "protect_recent": 0,
    "protect_analysis_context": False,
    "target_ratio": 0.1,
    "min_tokens_to_compress": 120,
  },
}
KOMPRESS = os.environ.get("HEADROOM_BENCH_KOMPRESS_MODEL", "disabled")


def clear_caches() -> None:
  """Empties headroom's cross-request result caches so that the next call compresses from scratch.

  headroom's ContentRouter keeps a CompressionCache (content hash -> compressed text, 30 min TTL):
  a repeat of the same input is a cache hit (HDFS_2k.log: ~340 ms first sight, ~20 ms repeated).
  Agents rarely send the same new tool output twice, so the bench times first sight, like ours
  (a fresh store per call). Reaches into the pipeline compress() builds (private names, 0.41.0).
  """
  module = sys.modules["headroom.compress"]  # the module (the package exports the function)
  for pipeline in (module._pipeline, module._agent_pipeline):
    for transform in getattr(pipeline, "transforms", None) or []:
      cache = getattr(transform, "_cache", None)
      if cache is not None and hasattr(cache, "clear"):
        cache.clear()


def run_once(body: dict, mode: str, cold: bool = True):
  if cold:
    clear_caches()
  kwargs = dict(MODES[mode])
  kwargs["kompress_model"] = KOMPRESS
  messages = body.get("messages")
  if not isinstance(messages, list):
    raise ValueError("body has no messages array")
  model = body.get("model") or "claude-sonnet-4-5-20250929"
  t0 = time.perf_counter()
  result = compress(messages, model=model, **kwargs)
  ms = (time.perf_counter() - t0) * 1000
  return result, ms


def handle(req: dict) -> dict:
  out: dict = {"id": req.get("id"), "mode": req.get("mode", "default")}
  try:
    mode = out["mode"]
    if mode not in MODES:
      raise ValueError(f"unknown mode {mode!r}")
    body = req["body"]
    repeat = max(1, int(req.get("repeat", 1)))
    times = []
    result = None
    run_once(body, mode)  # untimed: lazy imports and per-content-type setup happen on first use
    for _ in range(repeat):
      result, ms = run_once(body, mode)
      times.append(ms)
    _, warm_ms = run_once(body, mode, cold=False)  # a repeat of the same content: cache hit
    tracemalloc.start()
    run_once(body, mode)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    compressed = dict(body)
    compressed["messages"] = result.messages
    out.update(
      tokens_before=result.tokens_before,
      tokens_after=result.tokens_after,
      ms=statistics.median(times),
      ms_all=times,
      ms_warm=warm_ms,
      peak_alloc_kb=peak // 1024,
      max_rss_kb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
      transforms=list(result.transforms_applied),
      body=compressed,
    )
  except Exception as e:  # report, keep serving
    out["error"] = f"{type(e).__name__}: {e}"
  return out


def main() -> None:
  sys.stdout.write(json.dumps({"ready": True, "version": version("headroom-ai")}) + "\n")
  sys.stdout.flush()
  for line in sys.stdin:
    line = line.strip()
    if not line:
      continue
    try:
      req = json.loads(line)
    except json.JSONDecodeError as e:
      req = None
      resp = {"id": None, "error": f"bad json: {e}"}
    if req is not None:
      resp = handle(req)
    sys.stdout.write(json.dumps(resp, ensure_ascii=False) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
  main()
