#!/usr/bin/env bash
# Bundles tools/gpu/llm-gpu.ts into one ESM file for a GPU box that has only
# node and node-llama-cpp: node-llama-cpp stays external, the native packages
# the check does not use are replaced by tools/gpu/absent.mjs.
set -euo pipefail
out=${1:-.devcarry/llm-gpu.mjs}
mkdir -p "$(dirname "$out")"
npx esbuild tools/gpu/llm-gpu.ts --bundle --platform=node --format=esm --target=node20 \
  --external:node-llama-cpp \
  --alias:onnxruntime-node=./tools/gpu/absent.mjs --alias:sharp=./tools/gpu/absent.mjs \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" \
  --outfile="$out"
