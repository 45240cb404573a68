import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { syntheticPhoto } from '../core/synthetic'

/**
 * A reproducible demo folder that shows every outcome at once: photos to scale (landscape,
 * portrait by EXIF, a panorama, a 1-pixel strip, several formats), small images to copy,
 * and files to skip: a text file, a broken JPEG and an SVG.
 */

interface DemoImage {
  name: string
  width: number
  height: number
  format: 'jpeg' | 'png' | 'webp' | 'tiff' | 'gif'
  orientation?: number
  alpha?: boolean
}

const LANDSCAPES: DemoImage[] = Array.from({ length: 12 }, (_, i) => ({
  name: `${i < 6 ? '' : 'trip/'}landscape-${String(i + 1).padStart(2, '0')}.jpg`,
  width: 1600 + i * 120,
  height: 1067 + i * 80,
  format: 'jpeg'
}))

const DEMO_IMAGES: DemoImage[] = [
  ...LANDSCAPES,
  { name: 'portrait-exif-6.jpg', width: 1800, height: 1200, format: 'jpeg', orientation: 6 },
  { name: 'trip/portrait-exif-8.jpg', width: 1500, height: 1000, format: 'jpeg', orientation: 8 },
  { name: 'trip/portrait.jpg', width: 1000, height: 1500, format: 'jpeg' },
  { name: 'square.webp', width: 1400, height: 1400, format: 'webp' },
  { name: 'scan.tiff', width: 1500, height: 1000, format: 'tiff' },
  { name: 'logo-alpha.png', width: 1200, height: 900, format: 'png', alpha: true },
  { name: 'panorama.jpg', width: 6000, height: 500, format: 'jpeg' },
  { name: 'strip-1px.png', width: 1, height: 1200, format: 'png' },
  { name: 'small/thumb.jpg', width: 320, height: 240, format: 'jpeg' },
  { name: 'small/exactly-400.png', width: 400, height: 300, format: 'png' },
  { name: 'small/icon.webp', width: 256, height: 256, format: 'webp' },
  { name: 'small/sticker.gif', width: 200, height: 150, format: 'gif' }
]

export interface DemoFolders {
  source: string
  target: string
}

export async function makeDemoFolders(): Promise<DemoFolders> {
  const root = await mkdtemp(join(tmpdir(), 'imagescale-demo-'))
  const source = join(root, 'photos')
  await writeDemoImages(source)
  return { source, target: join(root, 'scaled') }
}

export async function writeDemoImages(source: string): Promise<void> {
  for (const [i, image] of DEMO_IMAGES.entries()) {
    const path = join(source, image.name)
    await mkdir(join(path, '..'), { recursive: true })
    let pipeline = syntheticPhoto({ width: image.width, height: image.height, seed: i + 1, channels: image.alpha ? 4 : 3 })
    if (image.orientation) pipeline = pipeline.withMetadata({ orientation: image.orientation })
    await pipeline.toFormat(image.format).toFile(path)
  }
  const broken = await syntheticPhoto({ width: 1600, height: 1200, seed: 99 }).jpeg().toBuffer()
  await writeFile(join(source, 'broken.jpg'), broken.subarray(0, Math.floor(broken.length / 3)))
  await writeFile(join(source, 'notes.txt'), 'Shot list for the demo: the images beside this file are generated.\n')
  await writeFile(join(source, 'drawing.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"><circle cx="400" cy="300" r="200"/></svg>\n')
}
