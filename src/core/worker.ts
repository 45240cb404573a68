import sharp from 'sharp'
import { scaleOne } from './scale-one'

// One image per thread: libvips' own thread fan-out and cache would only fight the pool
// for the same cores and memory. Both settings are process-wide; every worker sets the same.
sharp.concurrency(1)
sharp.cache(false)

export default scaleOne
