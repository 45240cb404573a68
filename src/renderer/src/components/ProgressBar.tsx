
import { formatCount } from '../../../shared/format'
interface Props {
  done: number
  total: number
  /** The total is still growing. */
  scanning: boolean
}

/** Files done out of files found; indeterminate until the scanner has found any. */
export function ProgressBar({ done, total, scanning }: Props) {
  const known = total > 0
  const totalText = `${formatCount(total)}${scanning ? '+' : ''}`
  return (
    <div
      className={known ? 'progress' : 'progress indeterminate'}
      role="progressbar"
      aria-label="Files done"
      aria-valuemin={0}
      aria-valuemax={known ? total : undefined}
      aria-valuenow={known ? done : undefined}
      aria-valuetext={known ? `${formatCount(done)} of ${totalText} files` : 'looking for files'}
    >
      {/* A CSSOM transform, not a style attribute: the CSP's style-src 'self' allows it. */}
      <div className="progress-fill" style={known ? { transform: `scaleX(${Math.min(1, done / total)})` } : undefined} />
    </div>
  )
}
