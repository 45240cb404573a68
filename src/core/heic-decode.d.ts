/** heic-decode ships no types: the one call ImageScale makes, as its README documents it. */
declare module 'heic-decode' {
  interface DecodedImage {
    width: number
    height: number
    /** RGBA, 8 bits a channel, rows top to bottom. */
    data: Uint8ClampedArray
  }
  function decode(input: { buffer: Uint8Array | ArrayBuffer }): Promise<DecodedImage>
  export default decode
}
