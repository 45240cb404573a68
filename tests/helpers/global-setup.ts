import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { OUT_MAIN, ROOT } from './built'

/** `npm test` builds first; a bare `npx vitest` builds here so tests never run stale code. */
export default function setup(): void {
  if (process.env.IMAGESCALE_SKIP_BUILD === '1' && existsSync(join(OUT_MAIN, 'worker.js'))) return
  if (process.env.npm_lifecycle_event === 'test' && existsSync(join(OUT_MAIN, 'worker.js'))) return
  execFileSync(process.execPath, [join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: ROOT,
    stdio: 'inherit'
  })
}
