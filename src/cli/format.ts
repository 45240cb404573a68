import type { Dimensions, FileResult, FilePlan, OutputPlan, OutputResult } from '../shared/batch'
import { displayName } from '../shared/display'
import { formatBytes } from '../shared/format'

export const dims = (d: Dimensions | undefined): string => (d ? `${d.width}×${d.height}` : '?')

/**
 * libvips messages can run over several lines (`…failOn setting` then one `error in tile 0 x 192`
 * per tile): kept whole but folded onto the file's line, so one file is still one line.
 */
const oneLine = (text: string): string => text.trim().split(/\s*\n\s*/).join('; ')

/** ` as web/a.webp` when an output is not simply the source's own path. */
function whereTo(file: string, output: { path: string; renamed?: { from: string; because: 'batch' | 'existing' } }): string {
  const renamed = output.renamed ? ` (${output.renamed.from} was ${output.renamed.because === 'batch' ? 'taken by another file of this batch' : 'already there'})` : ''
  return output.path === file && !renamed ? '' : ` as ${output.path}${renamed}`
}

/** ` (quality 72 to fit 300 KB; damaged: …)`: what a person should know about a made output. */
function remarks(output: { warning?: string; note?: string }): string {
  const said = [output.note, output.warning].filter((text) => text !== undefined).map(oneLine)
  return said.length > 0 ? ` (${said.join('; ')})` : ''
}

function outputLine(result: Extract<FileResult, { outcome: 'done' }>, output: OutputResult): string {
  const to = whereTo(result.file, output)
  switch (output.outcome) {
    case 'scaled':
      return `scaled ${result.file} ${dims(result.info?.shown)} → ${dims(output.size)}${to}${remarks(output)}`
    case 'copied':
      return `copied ${result.file} ${dims(output.size)}${to}`
    case 'canceled':
      return `canceled ${result.file}${to}: ${output.message}`
    case 'skipped':
    case 'failed':
      return `${output.outcome} ${result.file}${to}: ${oneLine(output.message)}`
  }
}

/**
 * `scaled a.jpg 6000×4000 → 400×267`: one line per output, for logs and pipes. Every name is
 * escaped: a file called "x\ncopied 0 scaled 0" must not forge a line.
 */
export function resultLines(result: FileResult): string[] {
  const lines = result.outcome === 'done' ? result.outputs.map((output) => outputLine(result, output)) : [`${result.outcome} ${result.file}: ${oneLine(result.message)}`]
  return lines.map(displayName)
}

/** `, about 120.3 KB`: a dry run's estimate of an output's size. */
const about = (output: { estimatedBytes?: number }): string => (output.estimatedBytes === undefined ? '' : `, about ${formatBytes(output.estimatedBytes)}`)

function plannedLine(plan: FilePlan, output: OutputPlan): string {
  const to = whereTo(plan.file, output)
  switch (output.action) {
    case 'scale':
      return `would scale ${plan.file} ${dims(plan.info.shown)} → ${dims(output.size)}${to}${about(output)}${output.existing.kind === 'none' ? '' : ` (replacing ${output.existing.kind === 'stale' ? 'a stale output' : 'what is there'})`}`
    case 'copy':
      return `would copy ${plan.file} ${dims(output.size)}${to}${about(output)}`
    case 'skip':
      return `would skip ${plan.file}${to}: ${oneLine(output.message)}`
  }
}

export const planLines = (plan: FilePlan): string[] => plan.outputs.map((output) => displayName(plannedLine(plan, output)))
