/**
 * Pixel size of a JPEG or PNG from its header, read synchronously.
 *
 * Why not `sharp().metadata()`: that is an extra round trip through the libuv
 * thread pool before the decode can start, and while onnxruntime-node blocks
 * the main thread in `session.run` the round trip cannot complete. Knowing the
 * size up front lets the decode + resize of the next frame be queued in one
 * call, so it runs on a pool thread during the current frame's inference.
 *
 * Sizes are the stored ones (EXIF orientation is not applied), which is what
 * sharp decodes without `.rotate()`.
 */

import { walkJpegSegments } from './jpeg-segments.js';

export interface ImageSize {
  /** Pixels. */
  readonly width: number;
  /** Pixels. */
  readonly height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Width and height of a JPEG or PNG, or undefined for other formats or a header it cannot read. */
export function readImageSize(bytes: Uint8Array): ImageSize | undefined {
  if (bytes.length >= 24 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return pngSize(bytes);
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) return jpegSize(bytes);
  return undefined;
}

function u16(b: Uint8Array, i: number): number {
  return ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
}

function pngSize(b: Uint8Array): ImageSize | undefined {
  // IHDR is the first chunk: length (4), type (4), then width and height, big-endian.
  if (b[12] !== 0x49 || b[13] !== 0x48 || b[14] !== 0x44 || b[15] !== 0x52) return undefined;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  return width > 0 && height > 0 ? { width, height } : undefined;
}

/** SOFn markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but are not frames. */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function jpegSize(b: Uint8Array): ImageSize | undefined {
  let size: ImageSize | undefined;
  walkJpegSegments(b, (marker, start) => {
    if (!isStartOfFrame(marker)) return false;
    if (start + 9 <= b.length) {
      const height = u16(b, start + 5);
      const width = u16(b, start + 7);
      if (width > 0 && height > 0) size = { width, height };
    }
    return true;
  });
  // No frame header before the scan, or the header is damaged: undefined.
  return size;
}
