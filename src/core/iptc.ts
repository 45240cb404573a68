/**
 * The legacy IPTC-IIM block of a JPEG (APP13, "Photoshop 3.0", image resource 0x0404), edited
 * for `--metadata strip-gps`: its location datasets are removed and everything else — caption,
 * keywords, byline, copyright — is kept. libvips can only keep or drop the block whole, so this
 * is done on the encoded JPEG. A block that cannot be read with certainty is dropped whole.
 */

const PHOTOSHOP = Buffer.from('Photoshop 3.0\0', 'latin1')
const IPTC_RESOURCE = 0x0404
/** The MD5 of the IPTC block, which would no longer match it. */
const IPTC_DIGEST = 0x0425
/** Application record 2: sub-location, city, province/state, country code, country. */
const LOCATION_DATASETS = new Set([92, 90, 95, 100, 101])

/** The IPTC datasets without location; null when they are not plain, well-formed datasets. */
function withoutLocationDatasets(data: Buffer): Buffer | null {
  const kept: Buffer[] = []
  for (let at = 0; at < data.length; ) {
    if (data[at] !== 0x1c || at + 5 > data.length) return null
    const record = data[at + 1]!
    const dataset = data[at + 2]!
    const length = data.readUInt16BE(at + 3)
    // Extended (over 32 KB) datasets: rare, and not worth guessing at.
    if (length & 0x8000 || at + 5 + length > data.length) return null
    if (!(record === 2 && LOCATION_DATASETS.has(dataset))) kept.push(data.subarray(at, at + 5 + length))
    at += 5 + length
  }
  return Buffer.concat(kept)
}

const even = (n: number): number => n + (n % 2)

/** The Photoshop resources of an APP13 segment with IPTC location removed; null when unreadable. */
function editResources(resources: Buffer): Buffer | null {
  const out: Buffer[] = []
  for (let at = 0; at < resources.length; ) {
    if (at + 12 > resources.length || resources.toString('latin1', at, at + 4) !== '8BIM') return null
    const id = resources.readUInt16BE(at + 4)
    const nameLength = even(1 + resources[at + 6]!)
    const sizeAt = at + 6 + nameLength
    if (sizeAt + 4 > resources.length) return null
    const size = resources.readUInt32BE(sizeAt)
    const dataAt = sizeAt + 4
    if (dataAt + size > resources.length) return null
    const next = dataAt + even(size)
    if (id === IPTC_RESOURCE) {
      const data = withoutLocationDatasets(resources.subarray(dataAt, dataAt + size))
      if (!data) return null
      const head = Buffer.from(resources.subarray(at, dataAt))
      head.writeUInt32BE(data.length, head.length - 4)
      out.push(head, data, Buffer.alloc(data.length % 2))
    } else if (id !== IPTC_DIGEST) {
      out.push(resources.subarray(at, Math.min(next, resources.length)))
    }
    at = next
  }
  return Buffer.concat(out)
}

/** A JPEG with its IPTC location removed (or its IPTC block dropped when unreadable). */
export function withoutIptcLocation(jpeg: Buffer): Buffer {
  const parts: Buffer[] = [jpeg.subarray(0, 2)]
  let at = 2
  while (at + 4 <= jpeg.length && jpeg[at] === 0xff) {
    const marker = jpeg[at + 1]!
    // Start of scan: the entropy-coded picture follows, no more metadata segments.
    if (marker === 0xda) break
    const end = at + 2 + jpeg.readUInt16BE(at + 2)
    if (end > jpeg.length) break
    const segment = jpeg.subarray(at, end)
    if (marker === 0xed && segment.subarray(4, 4 + PHOTOSHOP.length).equals(PHOTOSHOP)) {
      const resources = editResources(segment.subarray(4 + PHOTOSHOP.length))
      if (resources) {
        const length = 2 + PHOTOSHOP.length + resources.length
        const head = Buffer.from([0xff, 0xed, length >> 8, length & 0xff])
        parts.push(head, PHOTOSHOP, resources)
      }
    } else {
      parts.push(segment)
    }
    at = end
  }
  parts.push(jpeg.subarray(at))
  return Buffer.concat(parts)
}
