import type { BagInfo } from './types.js';

/** `kestrel bag info --json`: times as decimal strings of ns (exact) and as seconds and ISO (readable). */
export interface BagInfoJson {
  readonly path: string;
  readonly storage: string;
  readonly compression: readonly string[];
  readonly messageCount: number;
  readonly startTimeNs: string | null;
  readonly endTimeNs: string | null;
  readonly startIso: string | null;
  readonly endIso: string | null;
  readonly durationS: number;
  /** The recorder's own start and stop (bags written by `kestrel run --record`); null otherwise. */
  readonly recording: { readonly startTimeNs: string; readonly endTimeNs: string; readonly durationS: number } | null;
  readonly topics: readonly {
    readonly name: string;
    readonly type: string;
    readonly serializationFormat: string;
    readonly messageCount: number;
    /** Where Kestrel gets the definition: the bag's own schema, or its built-in common messages. */
    readonly definition: 'bag' | 'builtin' | 'none';
  }[];
}

export function bagInfoToJson(info: BagInfo, hasBuiltin: (type: string) => boolean): BagInfoJson {
  const iso = (ns: bigint | undefined): string | null =>
    ns === undefined ? null : new Date(Number(ns / 1_000_000n)).toISOString();
  const durationNs = info.startNs === undefined || info.endNs === undefined ? 0n : info.endNs - info.startNs;
  return {
    path: info.path,
    storage: info.storage,
    compression: info.compression,
    messageCount: info.messageCount,
    startTimeNs: info.startNs?.toString() ?? null,
    endTimeNs: info.endNs?.toString() ?? null,
    startIso: iso(info.startNs),
    endIso: iso(info.endNs),
    durationS: Number(durationNs) / 1e9,
    recording:
      info.recording === undefined
        ? null
        : {
            startTimeNs: info.recording.startNs.toString(),
            endTimeNs: info.recording.endNs.toString(),
            durationS: Number(info.recording.endNs - info.recording.startNs) / 1e9,
          },
    topics: info.topics.map((t) => ({
      name: t.name,
      type: t.type,
      serializationFormat: t.serializationFormat,
      messageCount: t.messageCount,
      definition: t.schema?.encoding === 'ros2msg' ? 'bag' : safe(hasBuiltin, t.type) ? 'builtin' : 'none',
    })),
  };
}

function safe(check: (type: string) => boolean, type: string): boolean {
  try {
    return check(type);
  } catch {
    return false;
  }
}
