# Rewrites each fatbin container in a CUDA shared library (node-llama-cpp's libggml-cuda.so) to hold
# only its compute_90 PTX, with the PTX `.version` lowered to what an older driver JITs (9.1 -> 9.0 for
# driver 580 / CUDA 13.0). The runtime reaches each container through its own pointer
# (.nvFatBinSegment), so the freed tail of a container is just zeros. Dev tool for tools/gpu only.
#   fatbin-ptx.py <in.so> <out.so> <.nv_fatbin offset hex> <size hex> <ptx version>
import struct, sys, subprocess, collections, re
src, dst = sys.argv[1], sys.argv[2]
off, size = int(sys.argv[3],16), int(sys.argv[4],16)
target = sys.argv[5].encode()
data = bytearray(open(src,'rb').read())
pos = off; stats = collections.Counter(); versions = collections.Counter()
while pos < off + size:
    magic, ver, hsz, fsz = struct.unpack_from('<IHHQ', data, pos)
    if magic != 0xBA55ED50: pos += 8; continue
    e = pos + hsz; keep = None
    while e < pos + hsz + fsz:
        kind, ever, ehsz, psz = struct.unpack_from('<HHIQ', data, e)
        w = list(struct.unpack_from('<%dI' % (ehsz // 4), data, e))
        if kind == 1 and w[7] == 90:
            comp = bytes(data[e + ehsz:e + ehsz + w[4]])
            ptx = subprocess.run(['zstd', '-dc'], input=comp, capture_output=True, check=True).stdout
            m = re.search(rb'\.version (\d+\.\d+)', ptx); versions[m.group(1)] += 1
            ptx2 = ptx[:m.start(1)] + target + ptx[m.end(1):]
            new = subprocess.run(['zstd', '-19', '-c', '--no-check'], input=ptx2, capture_output=True, check=True).stdout
            padded = (len(new) + 7) // 8 * 8
            w[2], w[3], w[4] = padded, 0, len(new)
            keep = struct.pack('<%dI' % len(w), *w) + new + bytes(padded - len(new))
        e += ehsz + psz
    assert keep is not None
    assert len(keep) <= fsz, (len(keep), fsz)
    span = hsz + fsz
    block = struct.pack('<IHHQ', magic, ver, hsz, len(keep)) + data[pos + 16:pos + hsz] + keep
    data[pos:pos + span] = block + bytes(span - len(block))
    stats['containers'] += 1
    pos += span
print(dict(stats), dict(versions))
open(dst, 'wb').write(data)
