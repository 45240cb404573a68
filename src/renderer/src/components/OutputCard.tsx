import { useId } from 'react'
import { formatCount } from '../../../shared/format'
import type { SourceInfo } from '../../../shared/batch'
import { naturalOutputs } from '../../../shared/natural-plan'
import {
  DEFAULT_QUALITY,
  LIMITS,
  METADATA_POLICIES,
  MODES,
  NAME_FIELDS,
  OUTPUT_FORMATS,
  RESIZE_KINDS,
  type MetadataPolicy,
  type Mode,
  type OutputFormat,
  type OutputSpec,
  type ResizeKind
} from '../../../shared/recipe'
import { formatDimensions } from '../format'
import { isLossless, specsOf, type OutputDraft } from '../state/outputs'
import { Choice } from './Choice'

/** The file the live name example is made for, when no file of the source has been chosen. */
export const EXAMPLE_SOURCE: { file: string; info: SourceInfo } = {
  file: 'IMG_2041.jpg',
  info: { format: 'jpeg', shown: { width: 6000, height: 4000 }, frames: 1, alpha: false, bytes: 8_000_000 }
}

/** Sizes people ask for by name, offered as the size field's suggestions. */
const COMMON_SIZES = [
  { size: 400, name: 'thumbnail' },
  { size: 800, name: 'small' },
  { size: 1280, name: 'HD' },
  { size: 1920, name: 'Full HD' },
  { size: 2560, name: 'QHD' },
  { size: 3840, name: '4K' }
] as const

const RULES: Record<ResizeKind, { label: string; unit: string; hint: string }> = {
  long: { label: 'Longest side', unit: 'px', hint: 'The longer side at most this; the other follows.' },
  short: { label: 'Shortest side', unit: 'px', hint: 'The shorter side at most this, e.g. for prints.' },
  width: { label: 'Width', unit: 'px', hint: 'The width at most this, whatever the height.' },
  height: { label: 'Height', unit: 'px', hint: 'The height at most this, whatever the width.' },
  box: { label: 'Within a box', unit: 'W×H px', hint: 'Fits inside the box, e.g. 1080x1350; the shape is kept.' },
  percent: { label: 'Percent', unit: '%', hint: 'A share of each side, e.g. 50 for half.' }
}

const MODE_WORDS: Record<Mode, { label: string; hint: string }> = {
  smooth: { label: 'Smooth', hint: 'High-quality resampling for photos you will show. Recommended.' },
  stride: {
    label: 'Stride',
    hint: "Keeps every n-th pixel, like the book: rougher, and the result can be much smaller than the size asked (2560 px wide at 1920 gives 1280)."
  }
}

const FORMAT_LABELS: Record<OutputFormat, string> = {
  same: 'Same as the original',
  jpeg: 'JPEG',
  webp: 'WebP',
  avif: 'AVIF',
  png: 'PNG (lossless)',
  tiff: 'TIFF'
}

const METADATA_LABELS: Record<MetadataPolicy, string> = {
  keep: 'Keep all (EXIF, IPTC, XMP, colour profile)',
  'strip-gps': 'Keep all but the location',
  strip: 'Remove all but the colour profile'
}

type Flag = 'lossless' | 'progressive' | 'keepCopyright' | 'srgb' | 'sharpen'

/** One yes/no setting of the output, as a labelled checkbox. */
function Toggle({ spec, field, label, onChange }: { spec: OutputSpec; field: Flag; label: string; onChange: (patch: Partial<OutputSpec>) => void }) {
  const id = useId()
  return (
    <div className="check">
      <input id={id} type="checkbox" checked={spec[field]} onChange={(event) => onChange({ [field]: event.target.checked })} />
      <label htmlFor={id}>{label}</label>
    </div>
  )
}

interface Props {
  draft: OutputDraft
  index: number
  count: number
  /** The file the name example is for: the preview's, or EXAMPLE_SOURCE. */
  example: { file: string; info: SourceInfo }
  onChange: (draft: OutputDraft) => void
  onDuplicate: () => void
  onRemove: () => void
  onMove: (by: -1 | 1) => void
}

/** `IMG_2041.jpg → web/IMG_2041-1920.webp (1920×1280)`, for each size of the draft, from the plan's own naming. */
function nameExamples(specs: OutputSpec[], example: Props['example']): string[] {
  return naturalOutputs(example.file, example.info, { outputs: specs }).map(
    (output) => `${example.file} → ${output.path} (${formatDimensions(output.size)}${output.action === 'copy' ? ', copied unchanged' : ''})`
  )
}

/** One output of the recipe: its size rule, format, metadata and name, in plain words. */
export function OutputCard({ draft, index, count, example, onChange, onDuplicate, onRemove, onMove }: Props) {
  const id = useId()
  const spec = draft.spec
  const set = (patch: Partial<OutputSpec>): void => onChange({ ...draft, spec: { ...spec, ...patch } })
  const result = specsOf(draft)
  const lossless = isLossless(spec)
  const qualityHint =
    spec.format === 'same' || spec.format === 'png'
      ? `Default: JPEG ${DEFAULT_QUALITY.jpeg}, WebP ${DEFAULT_QUALITY.webp}, AVIF ${DEFAULT_QUALITY.avif}; PNG is lossless.`
      : `Default ${DEFAULT_QUALITY[spec.format]}.`
  const title = `Output ${index + 1}`

  return (
    <fieldset className="card output-card" aria-label={title}>
      <legend className="output-title">{title}</legend>
      <div className="output-actions">
        <button type="button" onClick={() => onMove(-1)} disabled={index === 0} aria-label={`Move ${title} up`}>
          ↑
        </button>
        <button type="button" onClick={() => onMove(1)} disabled={index === count - 1} aria-label={`Move ${title} down`}>
          ↓
        </button>
        <button type="button" onClick={onDuplicate} disabled={count >= LIMITS.outputs.max}>
          Duplicate
        </button>
        <button type="button" onClick={onRemove} disabled={count === 1}>
          Remove
        </button>
      </div>

      <div className="output-grid">
        <div className="field">
          <label htmlFor={`${id}-kind`}>Resize</label>
          <Choice id={`${id}-kind`} value={draft.kind} choices={RESIZE_KINDS} label={(kind) => RULES[kind].label} onChange={(kind) => onChange({ ...draft, kind })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-size`}>
            {draft.kind === 'percent' ? 'Percent' : 'Size'} ({RULES[draft.kind].unit})
          </label>
          <input
            id={`${id}-size`}
            type="text"
            inputMode="numeric"
            value={draft.size}
            onChange={(event) => onChange({ ...draft, size: event.target.value })}
            aria-invalid={!result.ok}
            aria-describedby={`${id}-size-hint`}
            spellCheck={false}
            list={draft.kind === 'percent' || draft.kind === 'box' ? undefined : `${id}-common`}
          />
          <datalist id={`${id}-common`}>
            {COMMON_SIZES.map(({ size, name }) => (
              <option key={size} value={size}>
                {name}
              </option>
            ))}
          </datalist>
          <p id={`${id}-size-hint`} className="hint">
            {RULES[draft.kind].hint} Several sizes, comma-separated, each go to their own sub-folder. Images already smaller are copied unchanged.
          </p>
        </div>

        <fieldset className="field mode-choice">
          <legend>Method</legend>
          {MODES.map((mode) => (
            <div key={mode} className="choice">
              <input id={`${id}-${mode}`} type="radio" name={`${id}-mode`} checked={spec.mode === mode} onChange={() => set({ mode })} aria-describedby={`${id}-${mode}-hint`} />
              <label htmlFor={`${id}-${mode}`}>{MODE_WORDS[mode].label}</label>
              <p id={`${id}-${mode}-hint`} className="hint">
                {MODE_WORDS[mode].hint}
              </p>
            </div>
          ))}
        </fieldset>

        <div className="field">
          <label htmlFor={`${id}-format`}>Format</label>
          <Choice id={`${id}-format`} value={spec.format} choices={OUTPUT_FORMATS} label={(format) => FORMAT_LABELS[format]} onChange={(format) => set({ format })} />
          {spec.format === 'webp' && (
            <Toggle spec={spec} field="lossless" label="Lossless WebP" onChange={set} />
          )}
          {spec.format === 'jpeg' && (
            <Toggle spec={spec} field="progressive" label="Progressive JPEG" onChange={set} />
          )}
        </div>
        <div className="field">
          <label htmlFor={`${id}-quality`}>Quality (1–100)</label>
          <input
            id={`${id}-quality`}
            type="text"
            inputMode="numeric"
            value={lossless ? '' : draft.quality}
            disabled={lossless}
            placeholder="default"
            onChange={(event) => onChange({ ...draft, quality: event.target.value })}
            aria-describedby={`${id}-quality-hint`}
          />
          <p id={`${id}-quality-hint`} className="hint">
            {lossless ? 'Lossless: no quality to choose.' : qualityHint}
          </p>
        </div>
        <div className="field">
          <label htmlFor={`${id}-budget`}>At most (bytes per file)</label>
          <input
            id={`${id}-budget`}
            type="text"
            value={draft.budget}
            placeholder="no limit"
            onChange={(event) => onChange({ ...draft, budget: event.target.value })}
            aria-describedby={`${id}-budget-hint`}
            spellCheck={false}
          />
          <p id={`${id}-budget-hint`} className="hint">
            e.g. 500k: the best quality that fits, then a smaller size if it must. From {formatCount(LIMITS.maxBytes.min)} bytes.
          </p>
        </div>

        <div className="field">
          <label htmlFor={`${id}-metadata`}>Metadata</label>
          <Choice id={`${id}-metadata`} value={spec.metadata} choices={METADATA_POLICIES} label={(policy) => METADATA_LABELS[policy]} onChange={(metadata) => set({ metadata })} />
          {spec.metadata === 'strip' && (
            <Toggle spec={spec} field="keepCopyright" label="Keep copyright and artist" onChange={set} />
          )}
          <p className="hint">Photos are always turned upright; the orientation tag is reset.</p>
        </div>
        <div className="field checks">
          <Toggle spec={spec} field="srgb" label="Convert to sRGB (for the web)" onChange={set} />
          <Toggle spec={spec} field="sharpen" label="Sharpen after downscaling (mild)" onChange={set} />
        </div>

        <div className="field">
          <label htmlFor={`${id}-folder`}>Sub-folder of the target</label>
          <input id={`${id}-folder`} type="text" value={spec.folder} placeholder="(the target itself)" onChange={(event) => set({ folder: event.target.value })} spellCheck={false} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input id={`${id}-name`} type="text" value={spec.name} onChange={(event) => set({ name: event.target.value })} spellCheck={false} aria-describedby={`${id}-name-hint`} />
          <p id={`${id}-name-hint`} className="hint">
            Fields: {NAME_FIELDS.map((field) => `{${field}}`).join(' ')}
          </p>
        </div>
      </div>

      {result.ok ? (
        <ul className="name-example" aria-label={`${title} names`}>
          {nameExamples(result.specs, example).map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      ) : (
        <p className="field-error" role="status">
          {result.problem[0]!.toUpperCase()}
          {result.problem.slice(1)}.
        </p>
      )}
    </fieldset>
  )
}
