import { join } from 'node:path'
import { runCli } from './run'
import { version } from '../../package.json'

// Composition root: the only place that knows where the built pool host and worker live.
runCli(process.argv.slice(2), {
  hostPath: join(__dirname, 'pool-host.js'),
  workerPath: join(__dirname, 'worker.js'),
  version,
  stdout: process.stdout,
  stderr: process.stderr,
  onInterrupt: (handler) => process.on('SIGINT', handler),
  onOutputClosed: (handler) => process.stdout.on('error', handler),
  exitNow: (code) => process.exit(code)
}).then((code) => {
  process.exitCode = code
})
