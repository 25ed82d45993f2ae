/**
 * Soak: the default mission for 30 simulated minutes at full speed (the
 * mission completes after about 8 minutes; the runtime keeps running, landed,
 * with every sensor, the detector, fusion and the guard live). Samples RSS and
 * heap every simulated minute after a 5-minute warm-up and fails when either
 * grows more than 5 % from the first sample to the mean of the last three, or
 * when anything logs an error or a component fails.
 *
 *   npm run soak                       # the mission as written
 *   npm run soak -- --profile ci --minutes 10
 */
import { parseArgs } from 'node:util';
import { createRuntime } from '../../index.js';
import { fastProfile } from '../../fieldloop/index.js';
import { loadMissionFile, type Mission } from '../../missions/index.js';
import { createLogger, driveSimClock, SimClock } from '../../runtime/index.js';
import { DEFAULT_MISSION } from './forest-fire-run.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '5' },
    profile: { type: 'string', default: 'full' },
    'max-growth': { type: 'string', default: '0.05' },
  },
});
const minutes = Number(values.minutes);
const warmupMin = Number(values.warmup);
const maxGrowth = Number(values['max-growth']);

const loaded = await loadMissionFile(DEFAULT_MISSION);
let mission: Mission = {
  ...loaded.mission,
  telemetry: { ...loaded.mission.telemetry, buffer: { ...loaded.mission.telemetry.buffer, dir: '.kestrel/soak' } },
};
// `ci`: the scenario suite's reduced camera rate (camera and detector at 2.5 Hz).
if (values.profile === 'ci') mission = fastProfile(mission);
let errors = 0;
const logger = createLogger({ level: 'warn', format: 'json' });
const hooked = new Proxy(logger, {
  get(target, prop, receiver) {
    if (prop === 'error' || prop === 'fatal') errors++;
    return Reflect.get(target, prop, receiver) as unknown;
  },
});
const clock = new SimClock();
const runtime = createRuntime({ ...loaded, mission }, { clock, logger: hooked });
const samples: { min: number; rssMb: number; heapMb: number }[] = [];
const wall0 = performance.now();
const cpu0 = process.cpuUsage();
await runtime.start();
for (let m = 1; m <= minutes; m++) {
  await driveSimClock(clock, { speed: Infinity, stepMs: mission.simulation?.stepMs ?? 10, durationMs: 60_000 });
  if (m < warmupMin) continue;
  global.gc?.();
  const mem = process.memoryUsage();
  samples.push({ min: m, rssMb: mem.rss / 2 ** 20, heapMb: mem.heapUsed / 2 ** 20 });
  process.stderr.write(
    `soak t+${m} min: rss ${(mem.rss / 2 ** 20).toFixed(1)} MB, heap ${(mem.heapUsed / 2 ** 20).toFixed(1)} MB\n`,
  );
}
const failed = runtime.health().components.filter((c) => c.state === 'failed');
const latency = runtime.latency();
await runtime.stop('soak done');
const cpu = process.cpuUsage(cpu0);
const first = samples[0];
const tail = samples.slice(-3);
const mean = (k: 'rssMb' | 'heapMb'): number => tail.reduce((s, x) => s + x[k], 0) / Math.max(1, tail.length);
const growth =
  first === undefined
    ? { rss: 0, heap: 0 }
    : { rss: mean('rssMb') / first.rssMb - 1, heap: mean('heapMb') / first.heapMb - 1 };
const ok = growth.rss <= maxGrowth && growth.heap <= maxGrowth && errors === 0 && failed.length === 0;
process.stdout.write(
  `${JSON.stringify({
    ok,
    simulatedMin: minutes,
    wallS: Math.round((performance.now() - wall0) / 1000),
    cpuS: Math.round((cpu.user + cpu.system) / 1e6),
    growth,
    errors,
    failed: failed.map((c) => c.component),
    samples,
    latencyWorkMs: latency?.workMs,
  })}\n`,
);
process.exitCode = ok ? 0 : 1;
