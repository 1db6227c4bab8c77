import { spawnSync } from 'node:child_process'
import path from 'node:path'
import test from 'ava'

const root = path.resolve(__dirname, '..')

test('npm install without a usable binary and without cargo fails with a message naming the platform', (t) => {
  // Point the loader at a binary that does not exist and hide cargo from PATH.
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'install.js')], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PATH: '/nonexistent', NAPI_RS_NATIVE_LIBRARY_PATH: path.join(root, 'no-such-binary.node') },
  })
  t.is(r.status, 1, r.stderr)
  const { platformName } = require('../scripts/platform.js') as { platformName(): string }
  t.regex(r.stderr, new RegExp(`no prebuilt binary for ${platformName()}`))
  t.regex(r.stderr, /Install Rust \(cargo\)/)
})

test('npm install with a loadable binary does nothing', (t) => {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'install.js')], { cwd: root, encoding: 'utf8' })
  t.is(r.status, 0, r.stderr)
  t.is(r.stderr, '')
})
