// Copies the non-TypeScript files the runtime reads at run time (scenario data,
// example missions) next to the compiled JavaScript in dist/.
import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['sim', 'missions', 'perception', 'control', 'hardware', 'runtime'];
const keep = /\.(ya?ml|json|png|onnx)$/;

function copyTree(dir) {
  for (const name of readdirSync(dir)) {
    const src = join(dir, name);
    if (statSync(src).isDirectory()) copyTree(src);
    else if (keep.test(name)) cpSync(src, join('dist', src));
  }
}

for (const root of roots) if (existsSync(root)) copyTree(root);
