/**
 * The marker segments of a JPEG header, from SOI up to the first scan: what
 * image-size.ts reads the frame size from and jpeg-metadata.ts drops
 * metadata by. One walk, so the two agree on what a well-formed header is.
 */

/** How a walk ended: at the first scan, stopped by the visitor, or at bytes that are not a header. */
export type JpegWalkEnd = 'scan' | 'stopped' | 'malformed';

/** Markers before the first scan that carry no length: TEM, RST0-7, SOI. */
function isStandalone(marker: number): boolean {
  return marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8);
}

/**
 * Calls `visit` with each length-bearing segment before the first scan (SOS):
 * its marker and its byte range [start, end), `end` possibly past the buffer
 * when the file is cut short (the walk then ends `malformed` after the visit).
 * Fill bytes and standalone markers are stepped over. A visitor that returns
 * true stops the walk. `bytes` must start with SOI (FF D8); not checked here.
 */
export function walkJpegSegments(
  bytes: Uint8Array,
  visit: (marker: number, start: number, end: number) => boolean,
): JpegWalkEnd {
  let i = 2;
  for (;;) {
    if (i + 1 >= bytes.length || bytes[i] !== 0xff) return 'malformed';
    const marker = bytes[i + 1] ?? 0;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (isStandalone(marker)) {
      i += 2;
      continue;
    }
    if (marker === 0xda) return 'scan';
    if (marker === 0xd9 || i + 3 >= bytes.length) return 'malformed'; // end of image before any scan
    const length = ((bytes[i + 2] ?? 0) << 8) | (bytes[i + 3] ?? 0);
    if (length < 2) return 'malformed';
    const end = i + 2 + length;
    if (visit(marker, i, end)) return 'stopped';
    if (end > bytes.length) return 'malformed';
    i = end;
  }
}
