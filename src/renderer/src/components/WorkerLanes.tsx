import { useEffect, useId, useMemo, useRef, useState, type PointerEvent, type WheelEvent } from 'react'
import { formatCount, plural } from '../../../shared/format'
import type { ReportFormat } from '../../../shared/ipc'
import { useApi } from '../api-context'
import { formatFileTime, messageOf } from '../format'
import type { BatchState } from '../state/batch'
import { coreAverages, laneBars, laneStats, panned, spanOf, throughput, zoomed, type Bar, type View } from '../state/lanes'
import type { CpuSample } from '../../../shared/timeline'

const LANE_PX = 18
const GAP_PX = 4
const CORE_PX = 12
const RATE_PX = 24
/** The throughput row's buckets. */
const RATE_BUCKET_MS = 500
const LIVE_REDRAW_MS = 100
const LABEL_PX = 64
const AXIS_PX = 18

/** Bars take their state's colour from the stylesheet, so dark mode and the list agree. */
const COLOUR_OF: Record<Bar['state'], string> = {
  copied: '--ok',
  scaled: '--ok',
  skipped: '--warn',
  failed: '--danger',
  canceled: '--canceled',
  running: '--running',
  planned: '--running'
}

/** A step of the time axis that gives a tick every 80 px or so: 1, 2 or 5 times a power of ten. */
function tickStep(msPerPx: number): number {
  const raw = msPerPx * 80
  const power = 10 ** Math.floor(Math.log10(raw))
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw) ?? raw
}

function draw(canvas: HTMLCanvasElement, bars: Bar[][], cpu: readonly CpuSample[], view: View, nowMs: number): void {
  const context = canvas.getContext('2d')
  if (!context) return
  const ratio = window.devicePixelRatio || 1
  const width = canvas.clientWidth
  const height = canvas.clientHeight
  canvas.width = Math.round(width * ratio)
  canvas.height = Math.round(height * ratio)
  context.setTransform(ratio, 0, 0, ratio, 0, 0)
  const style = getComputedStyle(canvas)
  const colour = (name: string): string => style.getPropertyValue(name).trim() || '#888'
  context.clearRect(0, 0, width, height)
  context.font = `12px ${style.fontFamily}`
  context.textBaseline = 'middle'
  const plot = Math.max(1, width - LABEL_PX)
  const x = (ms: number): number => LABEL_PX + ((ms - view.from) / (view.to - view.from)) * plot
  bars.forEach((lane, i) => {
    const top = i * (LANE_PX + GAP_PX)
    context.fillStyle = colour('--muted')
    context.fillText(`Lane ${i + 1}`, 4, top + LANE_PX / 2)
    context.fillStyle = colour('--surface-2')
    context.fillRect(LABEL_PX, top, plot, LANE_PX)
    // Bars that would land on pixels already painted are skipped: 100,000 files draw as fast as a few thousand.
    let painted = -1
    for (const bar of lane) {
      const end = bar.endMs ?? nowMs
      if (end < view.from || bar.startMs > view.to) continue
      const left = Math.max(LABEL_PX, x(bar.startMs))
      const right = Math.min(x(end), width)
      if (right <= painted) continue
      // At least a pixel, less a hairline between neighbours: a lane of short files still reads as busy.
      const barWidth = Math.max(1, right - left - 0.5)
      context.globalAlpha = bar.state === 'copied' ? 0.55 : 1
      context.fillStyle = colour(COLOUR_OF[bar.state])
      context.fillRect(left, top, barWidth, LANE_PX)
      painted = Math.max(painted, left + Math.max(1, barWidth) - 1)
    }
    context.globalAlpha = 1
  })
  // Below the lanes, each core's busy share as the operating system counted it, sample by sample.
  const coresTop = bars.length * (LANE_PX + GAP_PX)
  const cores = cpu[0]?.busy.length ?? 0
  for (let core = 0; core < cores; core += 1) {
    const top = coresTop + core * (CORE_PX + GAP_PX)
    context.fillStyle = colour('--muted')
    context.fillText(`CPU ${core + 1}`, 4, top + CORE_PX / 2)
    context.fillStyle = colour('--surface-2')
    context.fillRect(LABEL_PX, top, plot, CORE_PX)
    context.fillStyle = colour('--accent')
    cpu.forEach((sample, i) => {
      const from = Math.max(view.from, i === 0 ? 0 : cpu[i - 1]!.atMs)
      const to = Math.min(view.to, sample.atMs)
      if (to <= from) return
      const height = (sample.busy[core] ?? 0) * CORE_PX
      context.fillRect(x(from), top + CORE_PX - height, Math.max(1, x(to) - x(from)), height)
    })
  }
  // Then the throughput: files finished per second, half a second at a time.
  const rateTop = coresTop + cores * (CORE_PX + GAP_PX)
  const rates = throughput(bars, Math.max(view.to, nowMs), RATE_BUCKET_MS)
  const peak = Math.max(1, ...rates)
  context.fillStyle = colour('--muted')
  context.fillText('files/s', 4, rateTop + RATE_PX / 2)
  context.fillStyle = colour('--surface-2')
  context.fillRect(LABEL_PX, rateTop, plot, RATE_PX)
  context.fillStyle = colour('--ok')
  rates.forEach((rate, i) => {
    const from = Math.max(view.from, i * RATE_BUCKET_MS)
    const to = Math.min(view.to, (i + 1) * RATE_BUCKET_MS)
    if (to <= from) return
    const height = (rate / peak) * RATE_PX
    context.fillRect(x(from), rateTop + RATE_PX - height, Math.max(1, x(to) - x(from) - 0.5), height)
  })
  const axisTop = rateTop + RATE_PX + GAP_PX
  const step = tickStep((view.to - view.from) / plot)
  context.fillStyle = colour('--muted')
  for (let tick = Math.ceil(view.from / step) * step; tick <= view.to; tick += step) {
    context.fillRect(x(tick), axisTop, 1, 4)
    context.fillText(formatFileTime(tick), x(tick) + 3, axisTop + AXIS_PX / 2 + 2)
  }
}

/**
 * One row per worker lane, each file a bar from when main heard it start to when it finished,
 * coloured by outcome; idle gaps, stragglers and the tail show as they are. Drawn on a canvas
 * (one element, whatever the number of files); after the run, zoom with the wheel or the
 * buttons and drag to pan.
 */
export function WorkerLanes({ batch }: { batch: BatchState }) {
  const api = useApi()
  const id = useId()
  const canvas = useRef<HTMLCanvasElement>(null)
  const lanes = batch.summary?.workers ?? batch.request?.workers ?? 1
  const bars = useMemo(() => laneBars(batch.rows, lanes), [batch.rows, lanes])
  const live = batch.phase === 'running'
  const [chosen, setChosen] = useState<View | null>(null)
  const [exported, setExported] = useState<string | null>(null)
  const drag = useRef<{ x: number; view: View } | null>(null)

  const nowMs = (): number => (live ? batch.heardMs + (performance.now() - batch.heardAt) : 0)
  const span = (): number => spanOf(bars, live ? nowMs() : null)

  useEffect(() => {
    const paint = (): void => {
      const element = canvas.current
      if (element) draw(element, bars, batch.cpu, chosen ?? { from: 0, to: span() }, nowMs())
    }
    paint()
    // While the batch runs, the bars in progress grow with the clock, ten times a second.
    const ticking = live ? setInterval(paint, LIVE_REDRAW_MS) : undefined
    // Redrawn at a new width too.
    const resized = new ResizeObserver(() => paint())
    if (canvas.current) resized.observe(canvas.current)
    return () => {
      clearInterval(ticking)
      resized.disconnect()
    }
  })

  const whole = (): View => ({ from: 0, to: span() })
  const zoomBy = (factor: number, at?: number): void => {
    const view = chosen ?? whole()
    const next = zoomed(view, factor, at ?? (view.from + view.to) / 2, span())
    setChosen(next.from <= 0 && next.to >= span() ? null : next)
  }
  const timeAt = (clientX: number): number => {
    const element = canvas.current!
    const view = chosen ?? whole()
    const share = (clientX - element.getBoundingClientRect().left - LABEL_PX) / Math.max(1, element.clientWidth - LABEL_PX)
    return view.from + Math.min(1, Math.max(0, share)) * (view.to - view.from)
  }
  const onWheel = (event: WheelEvent): void => {
    if (live) return
    zoomBy(event.deltaY < 0 ? 1.5 : 1 / 1.5, timeAt(event.clientX))
  }
  const onPointerDown = (event: PointerEvent): void => {
    if (live || !chosen) return
    drag.current = { x: event.clientX, view: chosen }
    event.currentTarget.setPointerCapture(event.pointerId)
  }
  const onPointerMove = (event: PointerEvent): void => {
    const start = drag.current
    if (!start) return
    const msPerPx = (start.view.to - start.view.from) / Math.max(1, event.currentTarget.clientWidth - LABEL_PX)
    setChosen(panned(start.view, (start.x - event.clientX) * msPerPx, span()))
  }

  const save = async (format: ReportFormat): Promise<void> => {
    try {
      if (await api.exportReport(format)) setExported(format === 'trace' ? 'Trace saved: open it in ui.perfetto.dev.' : 'Timings saved.')
    } catch (failure) {
      setExported(`Could not save: ${messageOf(failure)}`)
    }
  }

  const stats = laneStats(bars, span())
  const cores = coreAverages(batch.cpu)
  const height = lanes * (LANE_PX + GAP_PX) + cores.length * (CORE_PX + GAP_PX) + RATE_PX + GAP_PX + AXIS_PX
  const peakRate = Math.max(0, ...throughput(bars, span(), RATE_BUCKET_MS))
  return (
    <section className="panel lanes" aria-labelledby={`${id}-title`}>
      <div className="lanes-head">
        <h3 id={`${id}-title`}>Worker lanes</h3>
        {!live && (
          <div className="lanes-actions">
            <button type="button" onClick={() => zoomBy(2)}>
              Zoom in
            </button>
            <button type="button" onClick={() => zoomBy(0.5)} disabled={!chosen}>
              Zoom out
            </button>
            <button type="button" onClick={() => setChosen(null)} disabled={!chosen}>
              Whole run
            </button>
            <button type="button" onClick={() => void save('trace')}>
              Export trace…
            </button>
            <button type="button" onClick={() => void save('csv')}>
              Export timings…
            </button>
          </div>
        )}
      </div>
      <canvas
        ref={canvas}
        className="lanes-canvas"
        style={{ height }}
        role="img"
        aria-label={`${lanes} worker lanes: each file a bar from start to finish, coloured by outcome; below them each core's busy share and the files finished per second`}
        onWheel={onWheel}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={() => (drag.current = null)}
      />
      <ul className="hint lanes-stats" aria-label="Lanes">
        {stats.map((lane) => (
          <li key={lane.lane} data-testid="lane-stat">
            Lane {lane.lane}: {plural(lane.files, 'file')}, busy {Math.round(lane.busy * 100)}%
          </li>
        ))}
      </ul>
      <p className="hint" data-testid="rate-stats">
        Throughput: at most {formatCount(Math.round(peakRate))} files a second (finished per half second, drawn below the cores).
      </p>
      {cores.length > 0 && (
        <p className="hint" data-testid="core-stats">
          Cores, as the system counted them (any program&apos;s work): {cores.map((busy, core) => `CPU ${core + 1} ${Math.round(busy * 100)}%`).join(' · ')} busy on average.
        </p>
      )}
      {exported && (
        <p className="hint" role="status">
          {exported}
        </p>
      )}
    </section>
  )
}
