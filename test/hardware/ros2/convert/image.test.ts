import { describe, expect, it } from 'vitest';
import { convertCompressedImage, convertImage } from '../../../../hardware/index.js';
import { compressedImageMsg, imageMsg, jpegHeader, pngHeader } from '../../fixtures/ros-messages.js';

const NS = 1_700_000_000_123_456_789n;

describe('convertImage', () => {
  it('borrows the pixel buffer: the frame data is the message bytes, not a copy', () => {
    const ros = imageMsg(NS, 4, 3, 'rgb8', 5) as { data: Uint8Array };
    const c = convertImage(ros);
    if (!c.ok) throw new Error(c.reason);
    expect(c.message).toMatchObject({
      frameId: 'camera_optical',
      width: 4,
      height: 3,
      encoding: 'rgb8',
      stepBytes: 12,
    });
    expect(c.message.data).toBe(ros.data);
    expect(c.stampMs).toBeCloseTo(1_700_000_000_123.4568, 3);
  });

  it('trims padding past step x height with a subarray over the same memory', () => {
    const ros = imageMsg(NS, 2, 2, 'mono8') as { data: Uint8Array };
    const padded = new Uint8Array(16);
    padded.set(ros.data);
    const c = convertImage({ ...ros, data: padded });
    if (!c.ok) throw new Error(c.reason);
    expect(c.message.data.byteLength).toBe(4);
    expect(c.message.data.buffer).toBe(padded.buffer);
  });

  it('maps 8UC3 to bgr8 (OpenCV order) and a zero stamp to undefined', () => {
    const ros = { ...imageMsg(0n, 2, 2, 'rgb8'), encoding: '8UC3' };
    const c = convertImage(ros);
    expect(c.ok && c.message.encoding).toBe('bgr8');
    expect(c.ok && c.stampMs).toBeUndefined();
  });

  it('EXPECTED FAILURE - rejects encodings the pipeline cannot take, short buffers and bad steps', () => {
    expect(convertImage({ ...imageMsg(NS, 2, 2), encoding: '16UC1' })).toMatchObject({
      ok: false,
      code: 'image.unsupported_encoding',
    });
    expect(convertImage({ ...imageMsg(NS, 2, 2), data: new Uint8Array(5) })).toMatchObject({
      ok: false,
      code: 'image.short_buffer',
    });
    expect(convertImage({ ...imageMsg(NS, 2, 2), step: 3 })).toMatchObject({
      ok: false,
      code: 'image.bad_step',
    });
    expect(convertImage({ ...imageMsg(NS, 2, 2), width: 'two' })).toMatchObject({
      ok: false,
      code: 'image.invalid',
      reason: expect.stringContaining('width'),
    });
  });
});

describe('convertCompressedImage', () => {
  it('reads the size from a JPEG SOF0 and a PNG IHDR, and keeps the bytes', () => {
    const jpeg = jpegHeader(640, 480);
    const c = convertCompressedImage(compressedImageMsg(NS, 'bgr8; jpeg compressed bgr8', jpeg));
    if (!c.ok) throw new Error(c.reason);
    expect(c.message).toMatchObject({ width: 640, height: 480, encoding: 'jpeg', stepBytes: 0 });
    expect(c.message.data).toBe(jpeg);
    const p = convertCompressedImage(compressedImageMsg(NS, 'png', pngHeader(320, 200)));
    expect(p.ok && [p.message.encoding, p.message.width, p.message.height]).toEqual(['png', 320, 200]);
  });

  it('EXPECTED FAILURE - rejects unknown formats and bytes that are not what the format says', () => {
    expect(convertCompressedImage(compressedImageMsg(NS, 'tiff', new Uint8Array(4)))).toMatchObject({
      ok: false,
      code: 'image.unsupported_encoding',
    });
    expect(convertCompressedImage(compressedImageMsg(NS, 'jpeg', pngHeader(2, 2)))).toMatchObject({
      ok: false,
      code: 'image.corrupt',
    });
  });
});
