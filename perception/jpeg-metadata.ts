/**
 * A JPEG without the metadata segments the decoder would parse for nothing.
 *
 * Why: libvips reads every APP segment it knows on load. On the conformance
 * photo (bus.jpg, 810x1080) parsing its EXIF block costs about 3 ms and its
 * ICC profile about 1 ms (even with `ignoreIcc`), a quarter of the decode,
 * and Kestrel uses neither: boxes are in stored pixels (EXIF orientation is
 * not applied, see image-size.ts) and colour profiles are ignored, as the
 * OpenCV/PIL pipelines the models were trained on ignore them.
 *
 * What goes: APP1 (EXIF, XMP), APP2 (ICC, FlashPix), APP3-APP13 (IPTC and
 * vendor blocks), APP15 and COM. What stays: APP0 (JFIF) and APP14 (Adobe),
 * which tell the decoder the colour transform of RGB and CMYK JPEGs, and
 * every table and frame header. The scan data is not touched, so the pixels
 * decode to the same bytes (tested).
 */
import { walkJpegSegments } from './jpeg-segments.js';

/** APPn and COM segments the decoder does not need (see the file comment). */
function isDroppable(marker: number): boolean {
  return (marker >= 0xe1 && marker <= 0xed) || marker === 0xef || marker === 0xfe;
}

/**
 * `bytes` without its droppable metadata segments. Returns `bytes` itself
 * (no copy) when there is nothing to drop, when it is not a JPEG, or when its
 * header does not parse, so that the decoder reports the damage, not this.
 */
export function stripJpegMetadata(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return bytes;
  /** [start, end) byte ranges to drop, in order. */
  const drops: number[] = [];
  let dropped = 0;
  const end = walkJpegSegments(bytes, (marker, start, segmentEnd) => {
    if (isDroppable(marker)) {
      drops.push(start, segmentEnd);
      dropped += segmentEnd - start;
    }
    return false;
  });
  // A header that does not parse goes to the decoder as it is, to be reported there.
  if (end !== 'scan' || dropped === 0) return bytes;
  const out = new Uint8Array(bytes.length - dropped);
  let from = 0;
  let at = 0;
  for (let k = 0; k < drops.length; k += 2) {
    const start = drops[k] ?? 0;
    out.set(bytes.subarray(from, start), at);
    at += start - from;
    from = drops[k + 1] ?? start;
  }
  out.set(bytes.subarray(from), at);
  return out;
}
