import { useEffect, useId, useRef, useState } from 'react'
import { displayName } from '../../../shared/display'
import { formatBytes } from '../../../shared/format'
import type { SourceFiles } from '../../../shared/ipc'
import type { Preview, PreviewImage } from '../../../shared/preview'
import { LIMITS } from '../../../shared/recipe'
import { useApi } from '../api-context'
import { formatDimensions, formatFileTime, messageOf } from '../format'
import { recipeOf } from '../state/outputs'
import type { FormValues } from '../state/settings'

/** Quiet time after the last change to the recipe before a new preview is asked for. */
const SETTLE_MS = 400

/** Fit the pane; real pixels; each pixel twice as large, to judge sharpening and artefacts. */
const ZOOMS = { fit: 'Fit', actual: '1:1', double: '2:1' } as const
type Zoom = keyof typeof ZOOMS

const dataUrl = (image: PreviewImage): string => `data:${image.mime};base64,${image.base64}`

/** A file of the source as a full path for main (which accepts '/' on every system). */
const pathIn = (source: string, file: string): string => `${source.replace(/[\\/]+$/, '')}/${file}`

interface Pane {
  key: string
  title: string
  details: string
  image: PreviewImage | null
  message?: string
}

function panesOf(preview: Preview): Pane[] {
  const { info } = preview.original
  const panes: Pane[] = [
    { key: 'original', title: 'Original', details: `${formatDimensions(info.shown)} · ${info.format.toUpperCase()} · ${formatBytes(info.bytes)}`, image: preview.original.image }
  ]
  for (const output of preview.outputs) {
    const title = `Output ${output.output + 1}`
    if (output.action === 'skip' || output.action === 'fail') {
      panes.push({ key: title, title, details: output.action === 'skip' ? 'skipped' : 'would fail', image: null, message: output.message })
      continue
    }
    const saved = info.bytes > 0 ? Math.round((1 - output.bytes / info.bytes) * 100) : 0
    panes.push({
      key: title,
      title,
      details: `${formatDimensions(output.size)} · ${output.format.toUpperCase()} · ${formatBytes(output.bytes)} (${saved >= 0 ? `${saved}% smaller` : `${-saved}% larger`}) · ${output.action === 'copy' ? 'copied unchanged' : `made in ${formatFileTime(output.encodeMs)}`}`,
      image: output.image,
      ...(output.note || output.warning ? { message: [output.note, output.warning].filter(Boolean).join('; ') } : {})
    })
  }
  return panes
}

/**
 * One file of the source through the current recipe, original and outputs side by side. Made
 * in the pool host (main asks it; nothing is written), again whenever the recipe settles after
 * a change. At 1:1 every pane shows real pixels (at 2:1, each twice as large) and they pan together.
 */
export function PreviewPanel({ form }: { form: FormValues }) {
  const api = useApi()
  const id = useId()
  const [open, setOpen] = useState(false)
  const [found, setFound] = useState<SourceFiles | null>(null)
  const [file, setFile] = useState('')
  const [preview, setPreview] = useState<Preview | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  const [making, setMaking] = useState(false)
  const [zoom, setZoom] = useState<Zoom>('fit')
  const panes = useRef<(HTMLDivElement | null)[]>([])
  const panning = useRef(false)
  const recipe = recipeOf(form.outputs)
  const recipeKey = recipe.ok ? JSON.stringify(recipe.recipe) : null

  // The files to choose from: the picked ones, or the first the batch's walk would find.
  useEffect(() => {
    if (!open || !form.source || form.files) return
    let current = true
    api.sourceFiles(form.source, form.recursive).then(
      (files) => current && setFound(files),
      (error: unknown) => current && setProblem(messageOf(error))
    )
    return () => {
      current = false
    }
  }, [api, open, form.source, form.files, form.recursive])

  const listing: SourceFiles | null = form.files ? { files: form.files, more: false } : found
  const chosen = listing && (listing.files.includes(file) ? file : listing.files[0])

  useEffect(() => {
    if (!open || !chosen || !recipeKey) return
    let current = true
    const timer = setTimeout(() => {
      setMaking(true)
      api.preview(pathIn(form.source, chosen), JSON.parse(recipeKey), LIMITS.maxPixels.default).then(
        (made) => {
          if (!current) return
          setPreview(made)
          setProblem(null)
          setMaking(false)
        },
        (error: unknown) => {
          if (!current) return
          setPreview(null)
          setProblem(messageOf(error))
          setMaking(false)
        }
      )
    }, SETTLE_MS)
    return () => {
      current = false
      clearTimeout(timer)
    }
  }, [api, open, chosen, recipeKey, form.source])

  /** Synchronized pan: the others follow the pane being scrolled, at the same share of their extent. */
  const follow = (from: number): void => {
    if (panning.current) return
    const source = panes.current[from]
    if (!source) return
    panning.current = true
    const x = source.scrollLeft / Math.max(1, source.scrollWidth - source.clientWidth)
    const y = source.scrollTop / Math.max(1, source.scrollHeight - source.clientHeight)
    panes.current.forEach((pane, index) => {
      if (!pane || index === from) return
      pane.scrollLeft = x * (pane.scrollWidth - pane.clientWidth)
      pane.scrollTop = y * (pane.scrollHeight - pane.clientHeight)
    })
    requestAnimationFrame(() => (panning.current = false))
  }

  return (
    <section className="card preview" aria-labelledby={`${id}-title`}>
      <div className="preview-head">
        <h2 id={`${id}-title`}>Before and after</h2>
        <button type="button" onClick={() => setOpen((value) => !value)} aria-expanded={open}>
          {open ? 'Hide preview' : 'Show preview'}
        </button>
      </div>
      {open && !form.source && <p className="hint">Choose a source folder to preview one of its photos.</p>}
      {open && form.source && (
        <>
          <div className="preview-controls">
            <label htmlFor={`${id}-file`}>Photo</label>
            <select id={`${id}-file`} value={chosen ?? ''} onChange={(event) => setFile(event.target.value)} disabled={!listing || listing.files.length === 0}>
              {(listing?.files ?? []).map((name) => (
                <option key={name} value={name}>
                  {displayName(name)}
                </option>
              ))}
            </select>
            {listing?.more && <span className="hint">first {listing.files.length} files listed</span>}
            <fieldset className="zoom">
              <legend className="visually-hidden">Zoom</legend>
              {(Object.keys(ZOOMS) as Zoom[]).map((value) => (
                <label key={value} className="chip">
                  <input type="radio" name={`${id}-zoom`} checked={zoom === value} onChange={() => setZoom(value)} />
                  <span className="chip-value">{ZOOMS[value]}</span>
                </label>
              ))}
            </fieldset>
            <span role="status" className="hint">
              {making ? 'Making the preview…' : listing && listing.files.length === 0 ? 'No files in this folder.' : !recipe.ok ? 'Fix the outputs to see them.' : ''}
            </span>
          </div>
          {problem && <p className="field-error">{problem}</p>}
          {preview && (
            <div className={`preview-panes zoom-${zoom}`} data-testid="preview-panes">
              {panesOf(preview).map((pane, index) => (
                <figure key={pane.key} className="preview-pane" data-testid="preview-pane">
                  <div className="preview-image" ref={(element) => void (panes.current[index] = element)} onScroll={() => follow(index)} tabIndex={0} aria-label={`${pane.title}, scroll to pan`}>
                    {pane.image ? <img src={dataUrl(pane.image)} alt={`${pane.title} of ${displayName(preview.file)}`} /> : <p className="hint">{pane.message}</p>}
                  </div>
                  <figcaption>
                    <strong>{pane.title}</strong> <span data-testid="pane-details">{pane.details}</span>
                    {pane.image && pane.message && <span className="hint"> · {pane.message}</span>}
                  </figcaption>
                </figure>
              ))}
            </div>
          )}
        </>
      )}
    </section>
  )
}
