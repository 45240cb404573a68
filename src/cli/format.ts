import type { Dimensions, FileResult } from '../shared/batch'

export const dims = (d: Dimensions | undefined): string => (d ? `${d.width}×${d.height}` : '?')

/**
 * libvips messages can run over several lines (`…failOn setting` then one `error in tile 0 x 192`
 * per tile): kept whole but folded onto the file's line, so one file is still one line.
 */
const oneLine = (text: string): string => text.trim().split(/\s*\n\s*/).join('; ')

/** `scaled a.jpg 6000×4000 → 400×267`: one line a file, for logs and pipes. */
export function resultLine(result: FileResult): string {
  switch (result.action) {
    case 'scaled':
      return `scaled ${result.file} ${dims(result.input)} → ${dims(result.output)}${result.message ? ` (${oneLine(result.message)})` : ''}`
    case 'copied':
      return `copied ${result.file} ${dims(result.input)}`
    case 'canceled':
      return `canceled ${result.file}`
    case 'skipped':
    case 'failed':
      return `${result.action} ${result.file}: ${oneLine(result.message ?? result.reason ?? 'unknown reason')}`
  }
}
