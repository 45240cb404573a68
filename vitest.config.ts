import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

// Test files run in forked children that inherit this environment before libuv starts,
// so in-process pools of up to 16 workers really get 16 native threads.
process.env.UV_THREADPOOL_SIZE = String(Math.max(16, availableParallelism()))
process.env.MALLOC_ARENA_MAX ??= '2'

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['tests/helpers/global-setup.ts']
  }
})
