import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import sharp from 'sharp'
import { syntheticPhoto } from '../../src/core/synthetic'

export interface TempFolders {
  root: string
  source: string
  target: string
  cleanup(): Promise<void>
}

export async function tempFolders(): Promise<TempFolders> {
  const root = await mkdtemp(join(tmpdir(), 'imagescale-test-'))
  const source = join(root, 'source')
  const target = join(root, 'target')
  await mkdir(source)
  return { root, source, target, cleanup: () => rm(root, { recursive: true, force: true }) }
}

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'tiff' | 'gif' | 'avif'

export interface ImageSpec {
  width: number
  height: number
  format?: ImageFormat
  seed?: number
  orientation?: number
}

/** Writes a photo-like image (real detail, deterministic) and returns its path. */
export async function writeImage(folder: string, name: string, spec: ImageSpec): Promise<string> {
  const path = join(folder, name)
  await mkdir(dirname(path), { recursive: true })
  let pipeline = syntheticPhoto({ width: spec.width, height: spec.height, seed: spec.seed ?? 1 })
  if (spec.orientation) pipeline = pipeline.withMetadata({ orientation: spec.orientation })
  await pipeline.toFormat(spec.format ?? 'jpeg').toFile(path)
  return path
}

export async function dimensionsOf(path: string): Promise<{ width: number; height: number; format: string }> {
  const meta = await sharp(path).metadata()
  return { width: meta.width, height: meta.height, format: meta.format }
}
