/** What the run cost this process, for the run summary. */
export interface ProcessResources {
  /** The kernel's high-water mark of this process's resident memory (ru_maxrss), MiB. */
  readonly peakRssMb: number;
  /** User plus system CPU time since the process started, s. */
  readonly cpuS: number;
}

/**
 * Read from `process.resourceUsage()`: the peak is the kernel's own, so
 * nothing between two samples is missed, and it covers the whole process
 * (model sessions, native buffers), not only the JS heap.
 */
export function processResources(usage: NodeJS.ResourceUsage = process.resourceUsage()): ProcessResources {
  return {
    // ru_maxrss is in KiB on Linux (Node reports it so on every platform).
    peakRssMb: usage.maxRSS / 1024,
    cpuS: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
  };
}
