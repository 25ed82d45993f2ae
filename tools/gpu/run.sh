#!/usr/bin/env bash
# One device check of Kestrel's GGUF path on node-llama-cpp's CUDA build (carry .devcarry/one, made by stage.sh).
#   bash .devcarry/one/run.sh perf    GPU and CPU rows, then a second process with the JIT cache warm
#   bash .devcarry/one/run.sh crash   a CUDA build that aborts (stage.sh with PTX_VERSION=9.1): the host
#                                     process fails, Kestrel's process carries on; then the same in-process
#   bash .devcarry/one/run.sh big     a 1.1 B-parameter F16 llama (TinyLlama's shape, random weights, made
#                                     there by gguf-synth.py): GPU rows, then CPU rows on the same host
mode=${1:-perf}
D=.devcarry/one; W=/tmp/kg; mkdir -p $W
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
lscpu | grep -E 'Model name|^CPU\(s\)'
python3 - <<PY
import lzma, shutil, tarfile
shutil.copyfileobj(lzma.open('$D/node.xz'), open('$W/node', 'wb'))
tarfile.open('$D/check.tar.xz').extractall('$W')
tarfile.open('$D/nm.tar.xz').extractall('$W')
PY
chmod +x $W/node; $W/node --version
libdirs=""
for lib in libcuda.so.1 libnvidia-ml.so.1 libcudart.so.13 libcublas.so.13 libcublasLt.so.13; do
  f=$(find /usr/local/nvidia /usr/local/cuda* /usr/lib/x86_64-linux-gnu /opt /usr/local/lib -name "$lib" 2>/dev/null | head -1)
  echo "$lib -> $f"; [ -n "$f" ] && libdirs="$libdirs:$(dirname $f)"
done
export LD_LIBRARY_PATH="${libdirs#:}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export CUDA_CACHE_PATH=$W/cuda-cache CUDA_CACHE_MAXSIZE=4294967296
ldd $W/node_modules/@node-llama-cpp/linux-x64-cuda/bins/linux-x64-cuda/libggml-cuda.so | grep -E 'not found|cud|cublas'
G=$PWD/$D/llama-2-tiny-random.gguf
if [ "$mode" = perf ]; then
  time (cd $W && timeout 240 ./node llm-gpu.mjs $G $OUT/llm-gpu.json 20 max,0 2>&1 | tee $OUT/llm-gpu.log | grep -v '"level":30' | tail -30)
  du -sh $W/cuda-cache
  echo "== second process, the JIT cache warm"
  time (cd $W && timeout 120 ./node llm-gpu.mjs $G $OUT/llm-gpu-2.json 5 max 2>&1 | tee $OUT/llm-gpu-2.log | grep -v '"level":30' | tail -10)
elif [ "$mode" = big ]; then
  B=$W/synth-1b.gguf
  time timeout 120 python3 tools/gpu/gguf-synth.py $D/llama-2-tiny-random.gguf $B
  time (cd $W && timeout 150 ./node llm-gpu.mjs $B $OUT/big-gpu.json 20 max >$OUT/big-gpu.log 2>&1; echo "exit code $?")
  grep -v '"level":30' $OUT/big-gpu.log | tail -4
  time (cd $W && timeout 120 ./node llm-gpu.mjs $B $OUT/big-cpu.json 3 0 >$OUT/big-cpu.log 2>&1; echo "exit code $?")
  grep -v '"level":30' $OUT/big-cpu.log | tail -4
else
  echo "== isolation: process (the default for gguf)"
  (cd $W && timeout 240 ./node llm-gpu.mjs $G $OUT/crash-process.json 5 max,0 process >$OUT/crash-process.log 2>&1; echo "exit code $?")
  grep -v '"level":30' $OUT/crash-process.log | grep -v -E '^(/|\./node|/lib)' | cut -c1-400 | tail -14
  echo "== isolation: none"
  (cd $W && timeout 240 ./node llm-gpu.mjs $G $OUT/crash-none.json 5 max,0 none >$OUT/crash-none.log 2>&1; echo "exit code $?")
  grep -v '"level":30' $OUT/crash-none.log | grep -v -E '^(/|\./node|/lib)' | cut -c1-400 | tail -6
fi
nvidia-smi --query-gpu=name,memory.used --format=csv

