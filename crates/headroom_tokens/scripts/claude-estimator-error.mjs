// Measures how well `o200k_base count × factor` estimates Claude token counts.
//
// Reference: `@anthropic-ai/tokenizer` (Anthropic's *published, legacy* tokenizer, the one
// used up to Claude 2). Anthropic states that Claude 3+ tokenize differently and publish no
// tokenizer for them, so this measures the estimator against the legacy vocabulary only.
//
// This script installs nothing. Set it up outside the repository:
//   mkdir -p /tmp/claude-tok && cd /tmp/claude-tok && npm i @anthropic-ai/tokenizer gpt-tokenizer
// then run (from anywhere):
//   node crates/headroom_tokens/scripts/claude-estimator-error.mjs [factor ...]
// Environment: CLAUDE_TOK_DIR (default /tmp/claude-tok), CORPUS_DIR (default ../shared/corpus
// relative to the repository root).

import { createRequire } from "node:module";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const tokDir = process.env.CLAUDE_TOK_DIR ?? "/tmp/claude-tok";
const corpus = process.env.CORPUS_DIR ?? join(here, "../../../../shared/corpus");
const require = createRequire(join(tokDir, "package.json"));
const claude = require("@anthropic-ai/tokenizer");
const o200k = require("gpt-tokenizer/cjs/encoding/o200k_base");

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

// 4 KiB chunks cut on char boundaries (by UTF-16 length, close enough for ASCII-heavy text).
function chunks(text, size = 4096) {
  const out = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

const samples = []; // { file, claude, o200k }
for (const file of walk(corpus)) {
  const text = readFileSync(file, "utf8");
  // Whole files for small ones; a bounded number of chunks for big ones.
  const parts = chunks(text).slice(0, 64);
  let c = 0;
  let o = 0;
  for (const part of parts) {
    c += claude.countTokens(part);
    o += o200k.countTokens(part);
  }
  samples.push({ file: relative(corpus, file), claude: c, o200k: o });
}

const totalC = samples.reduce((s, x) => s + x.claude, 0);
const totalO = samples.reduce((s, x) => s + x.o200k, 0);
console.log(`files: ${samples.length}, claude-legacy tokens: ${totalC}, o200k tokens: ${totalO}`);
console.log(`aggregate ratio claude/o200k: ${(totalC / totalO).toFixed(4)}`);
const ratios = samples.map((x) => x.claude / x.o200k).sort((a, b) => a - b);
console.log(
  `per-file ratio: min ${ratios[0].toFixed(3)}, median ${ratios[ratios.length >> 1].toFixed(3)}, max ${ratios[ratios.length - 1].toFixed(3)}`,
);

const factors = process.argv.slice(2).map(Number);
if (factors.length === 0) factors.push(1.0, 1.1, 1.15, 1.2, 1.25, 1.3, 1.35);
for (const f of factors) {
  let sum = 0;
  let max = 0;
  let under = 0;
  for (const x of samples) {
    const est = Math.ceil(x.o200k * f);
    const err = (est - x.claude) / x.claude;
    sum += Math.abs(err);
    max = Math.max(max, Math.abs(err));
    if (est < x.claude) under++;
  }
  console.log(
    `factor ${f.toFixed(2)}: mean |rel err| ${(100 * sum / samples.length).toFixed(1)}%, max ${(100 * max).toFixed(1)}%, underestimates ${under}/${samples.length} files`,
  );
}
