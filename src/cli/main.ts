/**
 * The CLI's entry. Before anything else is loaded, it takes over Ctrl-C and broken pipes, so a
 * Ctrl-C at any moment from the first one Node lets a program catch is a cancel with a summary,
 * and a closed stdout or stderr (`imagescale … 2>&1 | head`) is a cancel, never a crash.
 * Nothing is imported statically here, so these handlers come first in the built file.
 */

type Listener = () => void

function inbox(): { deliver: () => void; listen: (listener: Listener) => void } {
  let queued = 0
  let listener: Listener | null = null
  return {
    deliver: () => (listener ? listener() : (queued += 1)),
    listen: (next) => {
      listener = next
      for (; queued > 0; queued -= 1) next()
    }
  }
}

const interrupts = inbox()
process.on('SIGINT', interrupts.deliver)

const closedOutput = inbox()
let outputClosed = false
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', () => {
    if (outputClosed) return
    outputClosed = true
    closedOutput.deliver()
  })
}

void import('./run').then(async ({ runCli }) => {
  const { join } = await import('node:path')
  const { version } = await import('../../package.json')
  const timeout = Number(process.env.IMAGESCALE_HOST_TIMEOUT_MS)
  process.exitCode = await runCli(process.argv.slice(2), {
    // Composition root: the only place that knows where the built pool host, worker and ceiling process live.
    hostPath: join(__dirname, 'pool-host.js'),
    workerPath: join(__dirname, 'worker.js'),
    ceilingPath: join(__dirname, 'ceiling.js'),
    version,
    ...(timeout > 0 ? { hostTimeoutMs: timeout } : {}),
    stdout: process.stdout,
    stderr: process.stderr,
    onInterrupt: interrupts.listen,
    onOutputClosed: closedOutput.listen,
    exitNow: (code) => process.exit(code)
  })
})
