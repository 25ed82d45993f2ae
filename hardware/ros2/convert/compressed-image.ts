import { z } from 'zod';
import type { CameraFrame } from '../../../runtime/index.js';
import { accept, bytesSchema, headerSchema, parseRos, reject, stampToMs, type Conversion } from './conversion.js';
import { compressedImageSize } from './compressed-image-size.js';

const compressedImageSchema = z.object({ header: headerSchema, format: z.string(), data: bytesSchema });

/**
 * sensor_msgs/CompressedImage to a CameraFrame with encoding jpeg or png. The
 * size comes from the image's own header bytes (CompressedImage carries none);
 * `data` is borrowed.
 */
export function convertCompressedImage(ros: unknown): Conversion<CameraFrame> {
  const p = parseRos(compressedImageSchema, ros, 'image.invalid');
  if (!p.ok) return p;
  const m = p.value;
  // image_transport writes `jpeg`, `png`, or `bgr8; jpeg compressed bgr8`.
  const format = m.format.toLowerCase();
  const encoding = format.includes('png')
    ? 'png'
    : format.includes('jpeg') || format.includes('jpg')
      ? 'jpeg'
      : undefined;
  if (encoding === undefined)
    return reject('image.unsupported_encoding', `compressed format "${m.format}" is not jpeg or png`);
  const size = compressedImageSize(m.data, encoding);
  if (size === undefined) return reject('image.corrupt', `data does not start like a ${encoding} file`);
  const frame: CameraFrame = {
    frameId: m.header.frame_id,
    width: size.width,
    height: size.height,
    encoding,
    stepBytes: 0,
    data: m.data,
  };
  return accept(frame, stampToMs(m.header.stamp));
}
