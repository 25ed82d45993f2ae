import sharp, { type Sharp } from 'sharp';
import type { CameraFrame, PoseEstimate } from '../../runtime/index.js';
import type { StoredPose } from './store.js';

export interface EncodedFrame {
  readonly image: Buffer;
  readonly format: 'jpeg' | 'png';
  readonly width: number;
  readonly height: number;
}

const CHANNELS = { rgb8: 3, bgr8: 3, mono8: 1 } as const;

/**
 * A camera frame as a JPEG or PNG for the store. Compressed frames already in
 * the wanted format are stored as they came (no re-encode, no quality loss).
 * Runs off the frame path: only frames of a capture are encoded.
 */
export async function encodeFrame(frame: CameraFrame, format: 'jpeg' | 'png', quality: number): Promise<EncodedFrame> {
  if (frame.encoding === format) {
    return { image: Buffer.from(frame.data), format, width: frame.width, height: frame.height };
  }
  let input: Sharp;
  if (frame.encoding === 'jpeg' || frame.encoding === 'png') {
    input = sharp(frame.data);
  } else {
    const channels = CHANNELS[frame.encoding];
    const row = frame.width * channels;
    const step = frame.stepBytes > 0 ? frame.stepBytes : row;
    let pixels: Uint8Array = frame.data;
    if (frame.encoding === 'bgr8' || step !== row) {
      // Repack rows without padding, and swap BGR to RGB (sharp reads raw RGB only).
      const out = new Uint8Array(row * frame.height);
      for (let y = 0; y < frame.height; y++) {
        const src = y * step;
        const dst = y * row;
        if (frame.encoding === 'bgr8') {
          for (let x = 0; x < row; x += 3) {
            out[dst + x] = frame.data[src + x + 2] ?? 0;
            out[dst + x + 1] = frame.data[src + x + 1] ?? 0;
            out[dst + x + 2] = frame.data[src + x] ?? 0;
          }
        } else out.set(frame.data.subarray(src, src + row), dst);
      }
      pixels = out;
    }
    input = sharp(pixels, { raw: { width: frame.width, height: frame.height, channels } });
  }
  // optimiseCoding off: libjpeg's second Huffman pass costs about 40 % of the encode (2.8 -> 1.7 ms for
  // 320 x 240) for a few percent of file size; captures are encoded while the detector needs the cores.
  // Full-resolution colour (4:4:4), as `kestrel sim dataset` writes: captures become training data, and
  // 4:2:0 averages away the colour of a person two to four pixels wide.
  const image =
    format === 'jpeg'
      ? await input.jpeg({ quality, optimiseCoding: false, chromaSubsampling: '4:4:4' }).toBuffer()
      : await input.png({ compressionLevel: 6 }).toBuffer();
  return { image, format, width: frame.width, height: frame.height };
}

export function storedPose(pose: PoseEstimate | undefined, stampMs: number | undefined): StoredPose | undefined {
  if (pose === undefined) return undefined;
  return {
    stampMs,
    frameId: pose.frameId,
    x: pose.positionM.x,
    y: pose.positionM.y,
    z: pose.positionM.z,
    yawRad: pose.yawRad,
    source: pose.source,
  };
}
