// Production dependency closure of node-llama-cpp as package dirs under node_modules.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
const root = process.cwd();
const seen = new Set();
function find(name, fromDir) {
  let dir = fromDir;
  for (;;) {
    const cand = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(cand, 'package.json'))) return cand;
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}
function visit(pkgDir) {
  if (seen.has(pkgDir)) return;
  seen.add(pkgDir);
  const pj = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  for (const dep of Object.keys({ ...pj.dependencies, ...pj.optionalDependencies })) {
    const d = find(dep, pkgDir);
    if (d) visit(d);
  }
}
visit(path.join(root, 'node_modules/node-llama-cpp'));
for (const d of [...seen].sort()) process.stdout.write(`${path.relative(root, d)}\n`);
