/**
 * `kestrel model promote` and `kestrel model rollback`: the registry's
 * commands, testable without a process. The CLI prints `result.text`.
 */
import { resolve } from 'node:path';
import { runEval, type EvalCommandResult } from '../../perception/index.js';
import { silentLogger, WallClock, type Clock, type Logger } from '../../runtime/index.js';
import { PromotionRefusedError } from '../errors.js';
import { readSigningKey } from '../trust/keys.js';
import { compareForPromotion, renderComparison, type PromotionComparison, type PromotionMetric } from './compare.js';
import {
  compareFlights,
  renderFlights,
  type FlightComparison,
  type FlightOutcome,
  type FlightRunner,
} from './flight.js';
import { ModelRegistry, type RegistryEntry } from './registry.js';

export interface RunPromoteOptions {
  /** Candidate model manifest (or model file). */
  readonly candidate: string;
  /** Current model manifest. Default: the registry's current.yaml; none at all makes this the first promotion. */
  readonly current?: string;
  /** YOLO dataset folder both models are scored on. */
  readonly data: string;
  /** Default val. */
  readonly split?: string;
  /** Default map50. */
  readonly metric?: PromotionMetric;
  /** Largest per-class loss on the metric. Default 0.02. */
  readonly tolerance?: number;
  /** The candidate must win by more than this. Default 0. */
  readonly minGain?: number;
  /**
   * More YOLO datasets (same split) the candidate must hold its ground on: no
   * class, and not the whole split, may lose more than `tolerance` on the
   * metric there, though it need not win. The original scenario when
   * fine-tuning for a new one. Default none.
   */
  readonly guards?: readonly string[];
  /**
   * Fly the mission with both models on these seeds (`flyMission`) after the
   * dataset checks pass; the candidate must hold on every seed (`compareFlights`).
   */
  readonly flights?: { readonly runner: FlightRunner; readonly seeds: readonly number[] };
  /** PKCS#8 PEM Ed25519 private key that signs the promoted manifest. */
  readonly key: string;
  readonly keyId?: string;
  readonly registry: string;
  readonly json?: boolean;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly cwd?: string;
}

export interface PromoteResult {
  readonly promoted: RegistryEntry;
  readonly currentManifest: string;
  readonly comparison: PromotionComparison;
  readonly evaluations: { readonly candidate: EvalSummary; readonly current: EvalSummary | undefined };
  /** One per `guards` dataset, in order. */
  readonly guards: readonly GuardComparison[];
  /** The mission flights, when `flights` asked for them. */
  readonly flights?: FlightComparison;
  readonly text: string;
}

export interface GuardComparison {
  readonly data: string;
  readonly comparison: PromotionComparison;
  readonly held: boolean;
}

interface EvalSummary {
  readonly model: string;
  readonly sha256: string;
  readonly images: number;
  readonly metrics: EvalCommandResult['metrics'];
}

function summary(r: EvalCommandResult): EvalSummary {
  return { model: r.model.path, sha256: r.model.sha256, images: r.data.images, metrics: r.metrics };
}

/**
 * Scores candidate and current on the same split and promotes the candidate
 * only if it wins without regressing a class; otherwise throws
 * `PromotionRefusedError` (`promote.refused`) carrying the per-class table.
 *
 * @example
 * await runPromote({ candidate: 'runs/ft/model.yaml', data: 'data/ff', key: 'keys/release.pem', registry: 'models/registry' });
 */
export async function runPromote(options: RunPromoteOptions): Promise<PromoteResult> {
  const cwd = options.cwd ?? process.cwd();
  const clock = options.clock ?? new WallClock();
  const logger = options.logger ?? silentLogger();
  // Read the key before minutes of evaluation: a bad key fails at once.
  const key = await readSigningKey(resolve(cwd, options.key), options.keyId);
  const registry = await ModelRegistry.open(resolve(cwd, options.registry));
  const currentPath =
    options.current === undefined
      ? registry.current() === undefined
        ? undefined
        : registry.currentManifestPath
      : resolve(cwd, options.current);
  const metric = options.metric ?? 'map50';
  const tolerance = options.tolerance ?? 0.02;
  const evalOptions = { data: options.data, split: options.split ?? 'val', logger, clock, cwd };
  const candidate = await runEval({ ...evalOptions, model: options.candidate });
  const current = currentPath === undefined ? undefined : await runEval({ ...evalOptions, model: currentPath });
  const comparison = compareForPromotion(candidate.metrics, current?.metrics, {
    metric,
    tolerance,
    ...(options.minGain === undefined ? {} : { minGain: options.minGain }),
  });
  const evaluations = { candidate: summary(candidate), current: current === undefined ? undefined : summary(current) };
  if (!comparison.promote) {
    throw new PromotionRefusedError(`promotion refused: ${comparison.reason}`, comparison);
  }
  const guards: GuardComparison[] = [];
  // The first promotion has nothing to hold ground against.
  const against = currentPath;
  for (const data of options.guards ?? []) {
    if (against === undefined) break;
    const g = await guardComparison(data, options.candidate, against, { ...evalOptions, metric, tolerance });
    guards.push(g);
    if (!g.held) throw new PromotionRefusedError(`promotion refused on ${data}: ${g.comparison.reason}`, g.comparison);
  }
  const candidatePath = resolve(cwd, options.candidate);
  let flights: FlightComparison | undefined;
  if (options.flights !== undefined) {
    const { runner, seeds } = options.flights;
    const flown: { current: FlightOutcome | undefined; candidate: FlightOutcome }[] = [];
    for (const seed of seeds) {
      const current = against === undefined ? undefined : await runner(against, seed);
      const candidate = await runner(candidatePath, seed);
      logger.info({ seed, current: current?.fires, candidate: candidate.fires }, 'promotion flight');
      flown.push({ current, candidate });
    }
    flights = compareFlights(flown);
    if (!flights.held) throw new PromotionRefusedError(`promotion refused: ${flights.reason}`, comparison, flights);
  }
  const promoted = await registry.promote(candidatePath, key, clock.nowMs(), {
    metric,
    candidate: comparison.candidate,
    current: comparison.current ?? null,
  });
  logger.info({ entry: promoted.entry, sha256: promoted.modelSha256, keyId: promoted.keyId }, 'model promoted');
  const result = {
    promoted,
    currentManifest: registry.currentManifestPath,
    comparison,
    evaluations,
    guards,
    ...(flights === undefined ? {} : { flights }),
  };
  const text =
    options.json === true
      ? `${JSON.stringify({ ok: true, ...result }, null, 2)}\n`
      : `${renderComparison(comparison)}${guards.map((g) => `guard ${g.data}:\n${renderComparison(g.comparison)}`).join('')}${flights === undefined ? '' : renderFlights(flights)}promoted ${promoted.entry} (sha256 ${promoted.modelSha256.slice(0, 12)}…, signed by ${promoted.keyId}); ${registry.currentManifestPath} now points at it\n`;
  return { ...result, text };
}

/**
 * Candidate and current on a guard split: the candidate holds if no class
 * and not the split as a whole loses more than the tolerance.
 */
async function guardComparison(
  data: string,
  candidate: string,
  current: string,
  o: { split: string; logger: Logger; clock: Clock; cwd: string; metric: PromotionMetric; tolerance: number },
): Promise<GuardComparison> {
  const evalOptions = { data, split: o.split, logger: o.logger, clock: o.clock, cwd: o.cwd };
  const cand = await runEval({ ...evalOptions, model: candidate });
  const cur = await runEval({ ...evalOptions, model: current });
  const c = compareForPromotion(cand.metrics, cur.metrics, { metric: o.metric, tolerance: o.tolerance });
  const after = c.candidate ?? 0;
  const before = c.current ?? null;
  const lostOverall = before !== null && after < before - o.tolerance - 1e-9;
  const held = c.regressions.length === 0 && !lostOverall;
  const f = (v: number | null): string => (v === null ? '-' : v.toFixed(3));
  const reason = held
    ? `the candidate holds on this guard split: ${o.metric} ${f(after)} vs ${f(before)}, no class loses more than ${o.tolerance}`
    : c.regressions.length > 0
      ? `the candidate regresses ${c.regressions.join(', ')} by more than ${o.tolerance} on this guard split (${o.metric} ${f(after)} vs ${f(before)})`
      : `the candidate loses more than ${o.tolerance} ${o.metric} on this guard split: ${f(after)} vs ${f(before)}`;
  return { data, held, comparison: { ...c, promote: held, reason } };
}

export interface RunRollbackOptions {
  readonly registry: string;
  readonly json?: boolean;
  readonly clock?: Clock;
  readonly cwd?: string;
}

export interface RollbackResult {
  readonly from: RegistryEntry;
  readonly to: RegistryEntry;
  readonly currentManifest: string;
  readonly text: string;
}

/** Returns the registry to the model promoted before the current one. */
export async function runRollback(options: RunRollbackOptions): Promise<RollbackResult> {
  const clock = options.clock ?? new WallClock();
  const registry = await ModelRegistry.open(resolve(options.cwd ?? process.cwd(), options.registry));
  const { from, to } = await registry.rollback(clock.nowMs());
  const result = { from, to, currentManifest: registry.currentManifestPath };
  const text =
    options.json === true
      ? `${JSON.stringify({ ok: true, ...result }, null, 2)}\n`
      : `rolled back from ${from.entry} to ${to.entry} (sha256 ${to.modelSha256.slice(0, 12)}…); ${registry.currentManifestPath} now points at it\n`;
  return { ...result, text };
}
