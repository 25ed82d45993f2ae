/**
 * `npm run bench [suite] [--repeats=N]`: runs one suite, or all, prints a
 * table and writes `bench/results/<suite>.json`.
 *
 * gc between samples needs `node --expose-gc`; when it is missing, this script
 * runs itself again with the flag, so `node dist/bench/main.js` just works.
 * It also adds `--single-threaded-gc`, the V8 setting the `kestrel` command
 * runs with (see cli/main.ts), so the suites measure the runtime as launched.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gcAvailable, packageRoot, printTable, writeResults } from './harness.js';
import type { BenchContext, Suite } from './harness.js';
import { bagSuite } from './suites/bag.js';
import { captureSuite } from './suites/capture.js';
import { e2eSuite } from './suites/e2e.js';
import { busSuite } from './suites/bus.js';
import { fusionSuite } from './suites/fusion.js';
import { guardSuite } from './suites/guard.js';
import { llmSuite } from './suites/llm.js';
import { perceptionSuite } from './suites/perception.js';
import { preprocessSuite } from './suites/preprocess.js';
import { simSuite } from './suites/sim.js';
import { telemetrySuite } from './suites/telemetry.js';

/** Every suite `npm run bench` knows, in the order "all" runs them. */
const SUITES: Readonly<Record<string, Suite>> = {
  bus: busSuite,
  bag: bagSuite,
  fusion: fusionSuite,
  perception: perceptionSuite,
  preprocess: preprocessSuite,
  capture: captureSuite,
  sim: simSuite,
  guard: guardSuite,
  telemetry: telemetrySuite,
  llm: llmSuite,
  e2e: e2eSuite,
};

const USAGE = `usage: npm run bench -- [suite] [--repeats=N]   (suites: ${Object.keys(SUITES).join(', ')}; default: all)\n`;

const SINGLE_THREADED_GC = '--single-threaded-gc';
const singleThreadedGc = process.execArgv.includes(SINGLE_THREADED_GC);

/** Runs this script again with the V8 flags it lacks. */
function reexecWithGc(): never {
  const script = fileURLToPath(import.meta.url);
  const missing = [...(gcAvailable() ? [] : ['--expose-gc']), ...(singleThreadedGc ? [] : [SINGLE_THREADED_GC])];
  const child = spawnSync(process.execPath, [...missing, ...process.execArgv, script, ...process.argv.slice(2)], {
    stdio: 'inherit',
    // Guards against a loop should the child still lack gc.
    env: { ...process.env, KESTREL_BENCH_NO_REEXEC: '1' },
  });
  process.exit(child.status ?? 1);
}

interface Args {
  suites: string[];
  repeats: number;
}

function parseArgs(argv: readonly string[]): Args | string {
  let repeats = 5;
  const names: string[] = [];
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') return '';
    const m = /^--repeats=(\d+)$/.exec(arg);
    if (m !== null) {
      repeats = Number(m[1]);
      if (repeats < 5) return `--repeats must be at least 5 (medians over fewer samples mislead), got ${repeats}`;
    } else if (arg.startsWith('-')) {
      return `unknown option "${arg}"`;
    } else {
      names.push(arg);
    }
  }
  if (names.length > 1) return `give one suite or none, got ${names.join(', ')}`;
  const name = names[0];
  if (name === undefined) return { suites: Object.keys(SUITES), repeats };
  if (!(name in SUITES)) return `unknown suite "${name}"; suites: ${Object.keys(SUITES).join(', ')}`;
  return { suites: [name], repeats };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    if (args === '') {
      process.stdout.write(USAGE);
      return 0;
    }
    process.stderr.write(`bench: ${args}\n${USAGE}`);
    return 2;
  }
  const envShared = process.env.KESTREL_SHARED_DIR;
  // ../shared beside the checkout holds the reference models and images (never copied into the repo).
  const localShared = join(packageRoot(), '..', 'shared');
  const ctx: BenchContext = {
    sharedDir: envShared ?? (existsSync(localShared) ? localShared : undefined),
    repeats: args.repeats,
  };
  process.stdout.write(
    `node ${process.version}, gc between samples: ${gcAvailable() ? 'yes' : 'NO'}, single-threaded gc: ${singleThreadedGc ? 'yes' : 'NO'}, repeats: ${ctx.repeats}\n`,
  );
  for (const name of args.suites) {
    const suite = SUITES[name]!;
    process.stdout.write(`\n# ${name}\n`);
    const entries = await suite(ctx);
    printTable(entries);
    const path = await writeResults(name, entries);
    process.stdout.write(`results: ${path}\n`);
  }
  return 0;
}

if ((!gcAvailable() || !singleThreadedGc) && process.env.KESTREL_BENCH_NO_REEXEC === undefined) reexecWithGc();

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
