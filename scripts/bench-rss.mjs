// Resident memory of a process tree, sampled from /proc (Linux). VmHWM, the kernel's own
// high-water mark, catches peaks between samples for each process still alive at a sample.
import { readFileSync, readdirSync } from 'node:fs'

export const rssSupported = (() => {
  try {
    readFileSync('/proc/self/status', 'utf8')
    return true
  } catch {
    return false
  }
})()

function statusKb(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8')
    const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0)
    return { rss: field('VmRSS'), hwm: field('VmHWM') }
  } catch {
    return null
  }
}

function commandOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')
  } catch {
    return ''
  }
}

/** Children of every thread: a child forked from any thread is listed under that thread. */
function childrenOf(pid) {
  const children = []
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim()
        if (text) children.push(...text.split(/\s+/).map(Number))
      } catch {
        // the thread ended between listing and reading
      }
    }
  } catch {
    // the process ended
  }
  return children
}

function treeOf(roots) {
  const seen = new Set()
  const stack = [...roots]
  while (stack.length > 0) {
    const pid = stack.pop()
    if (seen.has(pid)) continue
    seen.add(pid)
    stack.push(...childrenOf(pid))
  }
  return [...seen]
}

/**
 * Samples the trees under `roots()` every `intervalMs`. `stop()` returns, in bytes, the peak
 * of the whole tree's summed RSS and the peak of the processes whose command line matches
 * `hostPattern` (the pool host, where images are decoded).
 */
export function watchRss(roots, { intervalMs = 20, hostPattern = null } = {}) {
  let treePeakKb = 0
  const perPid = new Map()
  const sample = () => {
    let total = 0
    for (const pid of treeOf(roots())) {
      const kb = statusKb(pid)
      if (!kb) continue
      total += kb.rss
      let entry = perPid.get(pid)
      if (!entry) {
        entry = { peakKb: 0, command: '' }
        perPid.set(pid, entry)
      }
      // Read again until it matches: just after fork, a child still shows its parent's command.
      if (hostPattern && !hostPattern.test(entry.command)) entry.command = commandOf(pid)
      entry.peakKb = Math.max(entry.peakKb, kb.rss, kb.hwm)
    }
    treePeakKb = Math.max(treePeakKb, total)
  }
  if (!rssSupported) return { sample: () => undefined, stop: () => ({ treePeak: null, hostPeak: null }) }
  sample()
  const timer = setInterval(sample, intervalMs)
  return {
    sample,
    stop() {
      clearInterval(timer)
      let hostPeakKb = 0
      for (const { peakKb, command } of perPid.values()) {
        if (hostPattern && hostPattern.test(command)) hostPeakKb = Math.max(hostPeakKb, peakKb)
      }
      return { treePeak: treePeakKb * 1024, hostPeak: hostPattern ? hostPeakKb * 1024 : null }
    }
  }
}
