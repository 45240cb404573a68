import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'

// One main-side build holds every Node entry, so they share chunks and land side by side
// in out/main: the composition roots find the pool host and the worker next to themselves.
export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          'pool-host': resolve(__dirname, 'src/core/pool-host.ts'),
          worker: resolve(__dirname, 'src/core/worker.ts'),
          ceiling: resolve(__dirname, 'src/core/ceiling-process.ts'),
          cli: resolve(__dirname, 'src/cli/main.ts')
        }
      }
    }
  },
  preload: {
    build: {
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') }
      }
    }
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/renderer/index.html') }
      }
    },
    plugins: [react()]
  }
})
