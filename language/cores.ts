/**
 * Physical core count, the default thread count for language backends.
 * node-llama-cpp's own default uses every logical CPU; on a 2-core board
 * shared with perception that oversubscribes and decodes about 10x slower.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

let cached: number | undefined;

/** Distinct (physical id, core id) pairs in /proc/cpuinfo; logical CPUs where that file is absent. */
export function physicalCoreCount(): number {
  if (cached !== undefined) return cached;
  const logical = availableParallelism();
  let count = 0;
  try {
    const cores = new Set<string>();
    let physical = '0';
    for (const line of readFileSync('/proc/cpuinfo', 'utf8').split('\n')) {
      const [key, value] = line.split(':').map((s) => s.trim());
      if (key === 'physical id' && value !== undefined) physical = value;
      if (key === 'core id' && value !== undefined) cores.add(`${physical}/${value}`);
    }
    count = cores.size;
  } catch {
    count = 0;
  }
  // A container may see fewer CPUs than the host's cores: never exceed what we may run on.
  cached = Math.max(1, count > 0 ? Math.min(count, logical) : logical);
  return cached;
}
