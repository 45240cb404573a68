// How much of the machine other processes used while we measured (Linux /proc). A parallel
// speedup on 2 cores means nothing if a test suite was running beside it, so the bench waits
// for a quiet machine, repeats disturbed runs and reports what disturbance was left.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'

export const cpuSupported = (() => {
  try {
    readFileSync('/proc/stat', 'utf8')
    readFileSync('/proc/self/stat', 'utf8')
    return true
  } catch {
    return false
  }
})()

/** Ticks (USER_HZ) of the whole machine: all of them, and those spent working (steal included). */
function machineTicks() {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/)
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields.map(Number)
  const busy = user + nice + system + irq + softirq + (steal ?? 0)
  return { busy, total: busy + idle + iowait }
}

/** Our own ticks plus those of every child we have reaped (and theirs, transitively). */
function ownTicks() {
  const text = readFileSync('/proc/self/stat', 'utf8')
  const after = text.slice(text.lastIndexOf(')') + 2).split(' ')
  // after[0] is field 3 (state); utime, stime, cutime, cstime are fields 14–17.
  return Number(after[11]) + Number(after[12]) + Number(after[13]) + Number(after[14])
}

/**
 * Starts counting. `stop()` gives the share of the machine's capacity (0–1) used by processes
 * that are neither this one nor its reaped descendants, and the share we used.
 */
export function cpuMeter() {
  if (!cpuSupported) return { stop: () => ({ foreign: null, ours: null }) }
  const machine = machineTicks()
  const own = ownTicks()
  return {
    stop() {
      const now = machineTicks()
      const total = now.total - machine.total
      const ours = ownTicks() - own
      if (total <= 0) return { foreign: 0, ours: 0 }
      return { foreign: Math.max(0, now.busy - machine.busy - ours) / total, ours: ours / total }
    }
  }
}

/**
 * Waits until other processes use less than `maxForeign` of the machine over a second, or
 * `timeoutMs` passes. Resolves with the last share seen.
 */
export async function waitForQuiet({ maxForeign, timeoutMs, log }) {
  if (!cpuSupported) return null
  const deadline = Date.now() + timeoutMs
  let said = false
  for (;;) {
    const meter = cpuMeter()
    await sleep(1000)
    const { foreign } = meter.stop()
    if (foreign < maxForeign || Date.now() >= deadline) {
      if (said && foreign >= maxForeign) log(`still busy (${(foreign * 100).toFixed(0)} % used by other processes); measuring anyway`)
      return foreign
    }
    if (!said) log(`other processes use ${(foreign * 100).toFixed(0)} % of the CPU: waiting for a quiet machine (up to ${Math.round(timeoutMs / 1000)} s)`)
    said = true
  }
}

function burn(ms) {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, ['-e', `let x = 0; for (let i = 0; i < ${Math.round(ms * 3e5)}; i++) x += i % 7`], { stdio: 'ignore' })
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolvePromise(performance.now() - started) : reject(new Error(`CPU probe exited ${code}`))))
  })
}

/**
 * The ceiling for any parallel speedup here: a pure-CPU loop alone, then `n` copies at once.
 * n × alone ÷ slowest-of-n is what n cores really deliver (n on bare metal; less on a VM whose
 * vCPUs share a core or are throttled).
 */
export async function parallelCapacity(n, ms = 700) {
  await burn(ms / 4)
  const alone = await burn(ms)
  const together = await Promise.all(Array.from({ length: n }, () => burn(ms)))
  return (n * alone) / Math.max(...together)
}
