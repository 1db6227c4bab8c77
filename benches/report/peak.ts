// Child process for peak-memory figures: compresses one input once, in a fresh process, and prints
// the RSS high-water mark during the call and its growth over the RSS just before it (JSON).
// A fresh process keeps earlier cases' retained heap out of the figure.
//
//   node --expose-gc --import tsx benches/report/peak.ts FILE text|body MODE
import fs from 'node:fs'

import * as hr from '../../index'
import { withPeakMemory } from './stats'

const [file, kind, mode] = process.argv.slice(2)
const input = fs.readFileSync(file, 'utf8')
hr.warmup()
const { memory } = withPeakMemory(() => {
  const store = hr.Store.memory()
  if (kind === 'body') hr.compressBody(input, { mode: mode as hr.Mode, store })
  else hr.compressText(input, { mode: mode as hr.Mode, store })
  store.close()
})
process.stdout.write(JSON.stringify(memory) + '\n')
