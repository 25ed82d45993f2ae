#!/usr/bin/env bash
# Bundles tools/gpu/llm-gpu.ts into one ESM file for a GPU box that has only
# node and node-llama-cpp: node-llama-cpp stays external, the native packages
# the check does not use are replaced by tools/gpu/absent.mjs. The language
# model's host process (language/host.ts) is bundled beside it as host.js,
# where language/isolated.ts looks for it, with a package.json that makes
# .js files ESM.
set -euo pipefail
out=${1:-.devcarry/llm-gpu.mjs}
dir=$(dirname "$out")
mkdir -p "$dir"
common=(--bundle --platform=node --format=esm --target=node20
  --external:node-llama-cpp
  --alias:onnxruntime-node=./tools/gpu/absent.mjs --alias:sharp=./tools/gpu/absent.mjs
  "--banner:js=import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);")
npx esbuild tools/gpu/llm-gpu.ts "${common[@]}" --outfile="$out"
npx esbuild language/host.ts "${common[@]}" --outfile="$dir/host.js"
echo '{ "type": "module" }' >"$dir/package.json"
