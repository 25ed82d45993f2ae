import { z } from 'zod';
import type { CameraFrame, PixelEncoding } from '../../../runtime/index.js';
import { accept, bytesSchema, headerSchema, parseRos, reject, stampToMs, type Conversion } from './conversion.js';

const imageSchema = z.object({
  header: headerSchema,
  height: z.number().int().min(0),
  width: z.number().int().min(0),
  encoding: z.string(),
  step: z.number().int().min(0),
  data: bytesSchema,
});

/** Raw encodings Kestrel's pipeline takes, with bytes per pixel. Others (16UC1, bayer_*, yuv422) are rejected. */
const RAW: Readonly<Record<string, { encoding: PixelEncoding; bytesPerPixel: number }>> = {
  rgb8: { encoding: 'rgb8', bytesPerPixel: 3 },
  bgr8: { encoding: 'bgr8', bytesPerPixel: 3 },
  mono8: { encoding: 'mono8', bytesPerPixel: 1 },
  '8UC1': { encoding: 'mono8', bytesPerPixel: 1 },
  '8UC3': { encoding: 'bgr8', bytesPerPixel: 3 },
};

/**
 * sensor_msgs/Image to a CameraFrame. The pixels are not copied: `data` is a
 * subarray of the message buffer (the bag's chunk, or rclnodejs's typed
 * array), trimmed to `step * height` bytes.
 */
export function convertImage(ros: unknown): Conversion<CameraFrame> {
  const p = parseRos(imageSchema, ros, 'image.invalid');
  if (!p.ok) return p;
  const m = p.value;
  const raw = RAW[m.encoding];
  if (raw === undefined)
    return reject('image.unsupported_encoding', `encoding "${m.encoding}" is not rgb8, bgr8 or mono8`);
  if (m.width === 0 || m.height === 0) return reject('image.empty', `image is ${m.width}x${m.height}`);
  if (m.step < m.width * raw.bytesPerPixel) {
    return reject('image.bad_step', `step ${m.step} B is less than width ${m.width} x ${raw.bytesPerPixel} B`);
  }
  const bytes = m.step * m.height;
  if (m.data.byteLength < bytes) {
    return reject('image.short_buffer', `data has ${m.data.byteLength} B, step x height needs ${bytes} B`);
  }
  const frame: CameraFrame = {
    frameId: m.header.frame_id,
    width: m.width,
    height: m.height,
    encoding: raw.encoding,
    stepBytes: m.step,
    data: m.data.byteLength === bytes ? m.data : m.data.subarray(0, bytes),
  };
  return accept(frame, stampToMs(m.header.stamp));
}
