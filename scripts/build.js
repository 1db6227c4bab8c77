#!/usr/bin/env node
'use strict'
// Builds the native addon for this machine and the TypeScript API:
//   1. `napi build --platform` (release unless --debug) → binding.js, binding.d.ts and
//      headroom-native.<platform>.node;
//   2. moves the .node into its per-platform package, npm/<platform>/ (the loader finds it
//      there through the `headroom-native-<platform>` dependency);
//   3. `tsc` → index.js, index.d.ts.
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { platformName } = require('./platform')

const root = path.resolve(__dirname, '..')
const debug = process.argv.includes('--debug')
const napi = require.resolve('@napi-rs/cli/package.json', { paths: [root] })
const napiBin = path.join(path.dirname(napi), 'dist', 'cli.js')

const args = [
  napiBin, 'build', '--platform',
  '--manifest-path', 'crates/headroom_napi/Cargo.toml',
  '--package-json-path', 'package.json',
  '--output-dir', '.',
  '--js', 'binding.js', '--dts', 'binding.d.ts', '--no-const-enum',
]
if (!debug) args.push('--release')
execFileSync(process.execPath, args, { cwd: root, stdio: 'inherit' })

const plat = platformName()
const file = `headroom-native.${plat}.node`
const dest = path.join(root, 'npm', plat)
fs.mkdirSync(dest, { recursive: true })
fs.renameSync(path.join(root, file), path.join(dest, file))
console.error(`[headroom] built npm/${plat}/${file}`)

const tsc = path.join(path.dirname(require.resolve('typescript/package.json', { paths: [root] })), 'bin', 'tsc')
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' })
