/**
 * Width and height from the first bytes of a JPEG or PNG, without decoding:
 * PNG keeps them in IHDR at a fixed offset; JPEG in its first SOFn segment.
 */
export function compressedImageSize(
  data: Uint8Array,
  encoding: 'jpeg' | 'png',
): { width: number; height: number } | undefined {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (encoding === 'png') {
    // 8-byte signature, IHDR length (4) and tag (4), then width and height, big-endian.
    if (data.byteLength < 24 || data[0] !== 0x89 || data[1] !== 0x50) return undefined;
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (data.byteLength < 4 || data[0] !== 0xff || data[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 9 < data.byteLength) {
    if (data[i] !== 0xff) return undefined;
    const marker = view.getUint8(i + 1);
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: view.getUint16(i + 5), width: view.getUint16(i + 7) };
    }
    i += 2 + view.getUint16(i + 2);
  }
  return undefined;
}
