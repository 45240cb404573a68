import type { Dimensions, ImageFormat } from './batch'
import { formatResizeRule, type NameField, type OutputSpec, type ResizeRule } from './recipe'

/**
 * How outputs are named, shared by the engine's plan and the app's live example: the template
 * filled in from the source's name and the output's size and format. Collisions are the plan's
 * business (src/core/names.ts), decided on the target's own terms.
 */

/** A path below a folder, '/'-separated, as shown to people and recorded in the journal. */
export const joinRelative = (...parts: readonly string[]): string => parts.filter((part) => part !== '').join('/')

/** The folder of a path below the target ('' for the target itself). */
export const parentOf = (relativePath: string): string => relativePath.split('/').slice(0, -1).join('/')

/** Each of several sizes gets its own sub-folder: `1920` for the book's box, `width-600` for the other rules. */
export const folderForRule = (rule: ResizeRule): string => formatResizeRule(rule).replace(/^long:/, '').replace(':', '-')

/** The usual extension of each format, for outputs whose source had none of its own. */
const EXTENSIONS: Record<ImageFormat, string> = { jpeg: 'jpg', png: 'png', webp: 'webp', avif: 'avif', tiff: 'tif', gif: 'gif' }

/** Extensions that already name a format, in any case: `IMG.JPEG` stays `IMG.JPEG` as a JPEG. */
const SPELLINGS: Record<ImageFormat, readonly string[]> = {
  jpeg: ['jpg', 'jpeg', 'jpe'],
  png: ['png'],
  webp: ['webp'],
  avif: ['avif'],
  tiff: ['tif', 'tiff'],
  gif: ['gif']
}
const sameFormat = (ext: string, format: ImageFormat): boolean => SPELLINGS[format].includes(ext.toLowerCase())

/** `trip/IMG_2041.JPG` → dir `trip`, name `IMG_2041`, extension `JPG` (kept as written). */
export function splitSource(file: string): { dir: string; name: string; ext: string } {
  const slash = file.lastIndexOf('/')
  const dir = slash < 0 ? '' : file.slice(0, slash)
  const base = file.slice(slash + 1)
  const dot = base.lastIndexOf('.')
  return dot > 0 ? { dir, name: base.slice(0, dot), ext: base.slice(dot + 1) } : { dir, name: base, ext: '' }
}

/** The output's path below the target, before collisions are resolved. */
export function naturalPath(spec: OutputSpec, file: string, format: ImageFormat, size: Dimensions, converted: boolean): string {
  const { dir, name, ext } = splitSource(file)
  const fields: Record<NameField, string> = {
    dir,
    name,
    // The source's own extension, as written (`.JPG`, `.jpeg`), unless the format changes.
    ext: ext && (!converted || sameFormat(ext, format)) ? ext : EXTENSIONS[format],
    format,
    width: String(size.width),
    height: String(size.height),
    size: formatResizeRule(spec.resize).replace(/^[a-z]+:/, '')
  }
  const filled = spec.name.replace(/\{([a-z]+)\}/g, (_, field: NameField) => fields[field])
  // `{dir}/…` at the top level leaves an empty part: parts are joined without empty ones.
  return joinRelative(spec.folder, ...filled.split('/'))
}

