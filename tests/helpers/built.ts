import { join, resolve } from 'node:path'

/** Tests are a composition root too: they run the built worker, host and CLI, as users do. */
export const ROOT = resolve(__dirname, '../..')
export const OUT_MAIN = join(ROOT, 'out/main')
export const WORKER_PATH = join(OUT_MAIN, 'worker.js')
export const HOST_PATH = join(OUT_MAIN, 'pool-host.js')
export const CLI_PATH = join(ROOT, 'bin/imagescale.js')
export const RENDERER_DIR = join(ROOT, 'out/renderer')
