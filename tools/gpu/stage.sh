#!/usr/bin/env bash
# Builds the one folder a device run carries (.devcarry/one, < 64 MiB with the repo):
#   node.xz        this machine's node, stripped
#   nm.tar.xz      node-llama-cpp and its production dependencies, with the x64 CPU build and the
#                  x64 CUDA build (CPU variants trimmed to x64/haswell/icelake); libggml-cuda.so
#                  rewritten by fatbin-ptx.py to hold only its compute_90 PTX, its .version lowered
#                  to what the device's driver JITs (see README.md: why)
#   check.tar.xz   the check and the language host, bundled (bundle.sh)
#   the reference GGUF from ../shared, and run.sh
# Needs: xz, zstd, strip, Debian's python3. Takes about 4 minutes on 2 cores.
set -euo pipefail
ptx_version=${PTX_VERSION:-9.0}
out=.devcarry/one
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$out"
node tools/gpu/closure.mjs | grep -v -E 'linux-arm64|linux-armv7l|cuda-ext|vulkan|^node_modules/.*/node_modules/' |
  while read -r d; do mkdir -p "$stage/$(dirname "$d")"; cp -a "$d" "$stage/$d"; done
rm -rf "$stage/node_modules/node-llama-cpp/llama/gitRelease.bundle" "$stage/node_modules/node-llama-cpp/llama/llama.cpp"
for b in linux-x64/bins/linux-x64 linux-x64-cuda/bins/linux-x64-cuda; do
  for f in "$stage"/node_modules/@node-llama-cpp/$b/libggml-cpu-*.so; do
    case "$f" in *-x64.so | *-haswell.so | *-icelake.so) ;; *) rm "$f" ;; esac
  done
done
so=node_modules/@node-llama-cpp/linux-x64-cuda/bins/linux-x64-cuda/libggml-cuda.so
read -r off size < <(readelf -SW "$so" | awk '$2 == ".nv_fatbin" { print $5, $6 }')
/usr/bin/python3 tools/gpu/fatbin-ptx.py "$so" "$stage/$so" "$off" "$size" "$ptx_version"
(cd "$stage" && tar cf - node_modules | xz -T0 -9) >"$out/nm.tar.xz"
cp /usr/bin/node "$stage/node" && strip "$stage/node" && xz -T0 -9 -c "$stage/node" >"$out/node.xz"
mkdir "$stage/check" && bash tools/gpu/bundle.sh "$stage/check/llm-gpu.mjs"
(cd "$stage/check" && tar cf - llm-gpu.mjs host.js package.json | xz -9) >"$out/check.tar.xz"
cp ../shared/reference/llm/llama-2-tiny-random.gguf "$out/"
cp tools/gpu/run.sh "$out/run.sh"
du -cb "$out"/* | tail -1
