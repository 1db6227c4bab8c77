#!/usr/bin/env node
'use strict'
// npm install hook. Uses the prebuilt binary of this platform when there is one;
// otherwise builds from source when cargo is present; otherwise fails with a message that
// names the platform.
const { execFileSync, spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { platformName } = require('./platform')

const root = path.resolve(__dirname, '..')
const plat = platformName()

function loads() {
  const r = spawnSync(process.execPath, ['-e', "require('./binding.js')"], { cwd: root, stdio: 'ignore' })
  return r.status === 0
}

function hasCargo() {
  return spawnSync('cargo', ['--version'], { stdio: 'ignore' }).status === 0
}

if (process.env.HEADROOM_SKIP_INSTALL_BUILD) {
  console.error('[headroom] HEADROOM_SKIP_INSTALL_BUILD is set: not building the native addon')
  process.exit(0)
}
if (fs.existsSync(path.join(root, 'binding.js')) && loads()) process.exit(0)

if (!hasCargo()) {
  console.error(
    `[headroom] no prebuilt binary for ${plat} (package headroom-native-${plat}) and no Rust ` +
      `toolchain to build one. Install Rust (cargo) and reinstall, or use a supported platform: ` +
      `linux-x64-gnu, linux-arm64-gnu, linux-x64-musl, linux-arm64-musl, darwin-x64, darwin-arm64, win32-x64-msvc.`,
  )
  process.exit(1)
}

console.error(`[headroom] no prebuilt binary for ${plat}: building from source with cargo`)
if (fs.existsSync(path.join(root, 'node_modules', '@napi-rs', 'cli'))) {
  // A development checkout: the full build (also regenerates the loader and index.js).
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.js')], { cwd: root, stdio: 'inherit' })
} else {
  // An installed package: plain cargo, then place the library where the loader looks first.
  execFileSync('cargo', ['build', '--release', '-p', 'headroom_napi'], { cwd: root, stdio: 'inherit' })
  const target = process.env.CARGO_TARGET_DIR || path.join(root, 'target')
  const lib = { win32: 'headroom_napi.dll', darwin: 'libheadroom_napi.dylib' }[process.platform] || 'libheadroom_napi.so'
  fs.copyFileSync(path.join(target, 'release', lib), path.join(root, `headroom-native.${plat}.node`))
}
if (!loads()) {
  console.error(`[headroom] built the addon for ${plat}, but it does not load`)
  process.exit(1)
}
