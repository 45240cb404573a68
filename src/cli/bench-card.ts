import { amdahl } from '../core/speedup'
import { plural } from '../shared/format'
import type { BenchResult } from './bench'

/**
 * The lab's result as a picture to share: speedup against workers — ideal, the machine's
 * ceiling, imagescale, and the Amdahl curve fitted to imagescale — with the machine and the
 * figures written under it. An SVG, rendered to PNG by sharp (librsvg) by the caller.
 */

const WIDTH = 900
const CHART = { left: 70, top: 70, width: 520, height: 300 }

const escape = (text: string): string => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`)

export function benchCardSvg(result: BenchResult): string {
  const workers = result.points.map((point) => point.workers)
  const maxWorkers = Math.max(...workers)
  const maxSpeedup = Math.max(2, ...result.points.flatMap((point) => [point.speedup, point.ceilingSpeedup]), Math.min(maxWorkers, 4))
  const x = (n: number): number => CHART.left + ((n - 1) / Math.max(1, maxWorkers - 1)) * CHART.width
  const y = (s: number): number => CHART.top + CHART.height - (s / maxSpeedup) * CHART.height
  const line = (values: number[], colour: string, dash = ''): string =>
    `<polyline fill="none" stroke="${colour}" stroke-width="3" ${dash ? `stroke-dasharray="${dash}"` : ''} points="${workers.map((n, i) => `${x(n).toFixed(1)},${y(values[i]!).toFixed(1)}`).join(' ')}"/>` +
    workers.map((n, i) => `<circle cx="${x(n).toFixed(1)}" cy="${y(values[i]!).toFixed(1)}" r="4" fill="${colour}"/>`).join('')
  const fit = result.amdahl
  const fitted = fit
    ? `<polyline fill="none" stroke="#9a6700" stroke-width="2" stroke-dasharray="2 4" points="${Array.from({ length: 41 }, (_, i) => 1 + ((maxWorkers - 1) * i) / 40)
        .map((n) => `${x(n).toFixed(1)},${y(Math.min(maxSpeedup, amdahl(fit.serialFraction, n))).toFixed(1)}`)
        .join(' ')}"/>`
    : ''
  // Where the cores run out: past it, more workers share the same cores.
  const cores = Number(result.machine.cores)
  const coreLine =
    cores >= 1 && cores <= maxWorkers
      ? `<line x1="${x(cores)}" x2="${x(cores)}" y1="${CHART.top}" y2="${CHART.top + CHART.height}" stroke="#cf222e" stroke-dasharray="3 3"/><text x="${x(cores) + 6}" y="${CHART.top + 14}" fill="#cf222e">${cores} cores</text>`
      : ''
  const ticks = workers.map((n) => `<text x="${x(n)}" y="${CHART.top + CHART.height + 20}" text-anchor="middle">${n}</text>`).join('')
  const yTicks = Array.from({ length: Math.floor(maxSpeedup) + 1 }, (_, s) => `<text x="${CHART.left - 10}" y="${y(s) + 4}" text-anchor="end">${s}×</text><line x1="${CHART.left}" x2="${CHART.left + CHART.width}" y1="${y(s)}" y2="${y(s)}" stroke="#d0d7de"/>`).join('')
  const legend = [
    ['#57606a', 'ideal (speedup = workers)', '6 6'],
    ['#0a5dc2', 'the machine’s ceiling', ''],
    ['#1a7f37', 'imagescale', ''],
    ...(fit ? [['#9a6700', `Amdahl fit, serial fraction ${fit.serialFraction.toFixed(3)}`, '2 4']] : [])
  ]
    .map(([colour, label, dash], i) => `<line x1="620" x2="650" y1="${100 + i * 28}" y2="${100 + i * 28}" stroke="${colour}" stroke-width="3" ${dash ? `stroke-dasharray="${dash}"` : ''}/><text x="660" y="${104 + i * 28}">${escape(label!)}</text>`)
    .join('')
  const rows = result.points
    .map((point, i) => `<text x="70" y="${440 + i * 22}">${plural(point.workers, 'worker')}: ${point.imagesPerSecond.toFixed(1)} images/s, ${point.speedup.toFixed(2)}× (ceiling ${point.ceilingSpeedup.toFixed(2)}×), efficiency ${Math.round(point.efficiency * 100)}%, reached ${Math.round(point.reached * 100)}% of the ceiling</text>`)
    .join('')
  const height = 440 + result.points.length * 22 + 20
  const { machine, settings } = result
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="DejaVu Sans, sans-serif" font-size="14" fill="#1b1f24">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="70" y="32" font-size="20" font-weight="bold">ImageScale speedup on ${escape(String(machine.cpu))}, ${escape(String(machine.cores))} cores</text>
<text x="70" y="54" fill="#57606a">${escape(`${settings.files} photos of ${settings.source}, longest side ${settings.size} px, median of ${settings.rounds} alternated rounds`)}</text>
${yTicks}${ticks}${coreLine}
<text x="${CHART.left + CHART.width / 2}" y="${CHART.top + CHART.height + 42}" text-anchor="middle" fill="#57606a">workers</text>
${line(workers, '#57606a', '6 6')}${line(result.points.map((point) => point.ceilingSpeedup), '#0a5dc2')}${line(result.points.map((point) => point.speedup), '#1a7f37')}${fitted}
${legend}
${rows}
</svg>
`
}
