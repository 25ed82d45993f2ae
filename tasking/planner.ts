import type { Logger } from 'pino';
import type { Mission } from '../missions/index.js';
import type { Retask } from '../runtime/index.js';
import { compilePlan, type PlanRejection } from './compile.js';
import { dryRunPlan, type DryRunResult, type DryRunStart } from './dry-run.js';
import { groundedPlanSchema } from './grounding.js';
import { placeOf } from './place-words.js';
import { overrideAttempt } from './override.js';
import { DEFAULT_TASKING_VOCABULARY, extendVocabulary, type TaskingVocabulary } from './vocabulary.js';
import { PLAN_JSON_SCHEMA, parsePlanText, type Plan } from './plan.js';
import { ZoneIndex } from './zones.js';

/** What a tasking planner needs of a language model (language/'s LanguageModel has this shape). */
export interface PlanGenerator {
  readonly info: {
    readonly backend: string;
    readonly device: string;
    readonly sha256: string;
    readonly path: string;
    /** The manifest's own budget, used when the mission sets none. */
    readonly timeBudgetMs?: number;
  };
  generate(request: {
    readonly prompt: string;
    readonly schema: object;
    readonly maxTokens?: number;
    readonly timeBudgetMs?: number;
    readonly signal?: AbortSignal;
  }): Promise<{
    readonly text: string;
    readonly tokens: number;
    readonly promptTokens: number;
    readonly durationMs: number;
    readonly firstTokenMs: number;
    readonly tokensPerSecond: number;
    readonly stopReason: 'complete' | 'eos' | 'max_tokens' | 'timeout';
  }>;
}

/**
 * - refused: the request never reached the model (empty, too long);
 * - failed: the model timed out, crashed or said something that is not a plan;
 * - rejected: a valid plan that names what the mission does not know, or that the guard denies;
 * - proposed: the guard would run it (perhaps modified); it waits for an operator where the mission says so.
 * Anything but `proposed` leaves the current plan running.
 */
export type TaskingStatus = 'refused' | 'failed' | 'rejected' | 'proposed';

export interface TaskingLatency {
  readonly modelMs: number;
  readonly totalMs: number;
  readonly firstTokenMs: number;
  readonly tokens: number;
  readonly promptTokens: number;
  readonly tokensPerSecond: number;
}

export interface TaskingAnswer {
  readonly planId: string;
  readonly request: string;
  readonly status: TaskingStatus;
  /** One line for the operator: what happens and why. */
  readonly summary: string;
  /** The model's raw output, when it ran. */
  readonly output?: string;
  /**
   * The plan as parsed from the output, with a zone that resolved written as
   * the mission's own name ("the pit", an alias, becomes "quarry"): the
   * operator confirms, and the guard judges, the zone that will be flown.
   */
  readonly plan?: Plan;
  readonly retask?: Retask;
  readonly rejections: readonly PlanRejection[];
  readonly guard?: DryRunResult;
  readonly needsConfirmation: boolean;
  readonly latency?: TaskingLatency;
  readonly model: { readonly backend: string; readonly device: string; readonly sha256: string };
}

export interface TaskingPlannerOptions {
  readonly mission: Mission;
  readonly model: PlanGenerator;
  readonly logger: Logger;
  /** Monotonic milliseconds, for latency. */
  readonly now?: () => number;
  readonly maxTokens?: number;
  readonly timeBudgetMs?: number;
  /**
   * Hold numbers, places, target classes and the payload to what the request says (groundedPlanSchema).
   * Default: the mission's `tasking.grounding`, else true. Off measures the
   * model alone, under the plain plan schema.
   */
  readonly grounding?: boolean;
}

const DEFAULT_MAX_REQUEST_CHARS = 400;
const DEFAULT_TIME_BUDGET_MS = 5000;
// Control characters would let a request smuggle a prompt template's special tokens or terminal escapes.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/**
 * Operator words in, a checked plan out. The model only ever writes a plan
 * the schema admits; the plan is resolved against the mission's zones and
 * judged by the mission's guard before anyone sees it as runnable. A plan
 * takes effect only through a retask that the behavior applies and the guard
 * keeps judging, action by action.
 */
export class TaskingPlanner {
  private readonly mission: Mission;
  private readonly model: PlanGenerator;
  private readonly logger: Logger;
  private readonly zones: ZoneIndex;
  private readonly now: () => number;
  private readonly maxRequestChars: number;
  private readonly timeBudgetMs: number;
  private readonly maxTokens: number | undefined;
  private readonly grounding: boolean;
  private readonly vocabulary: TaskingVocabulary;
  private seq = 0;

  constructor(options: TaskingPlannerOptions) {
    this.mission = options.mission;
    this.model = options.model;
    this.logger = options.logger.child({ component: 'tasking' });
    this.zones = new ZoneIndex(options.mission);
    this.now = options.now ?? (() => performance.now());
    this.maxRequestChars = options.mission.tasking?.maxRequestChars ?? DEFAULT_MAX_REQUEST_CHARS;
    this.timeBudgetMs =
      options.timeBudgetMs ??
      options.mission.tasking?.timeBudgetMs ??
      options.model.info.timeBudgetMs ??
      DEFAULT_TIME_BUDGET_MS;
    this.maxTokens = options.maxTokens;
    this.grounding = options.grounding ?? options.mission.tasking?.grounding ?? true;
    this.vocabulary = extendVocabulary(DEFAULT_TASKING_VOCABULARY, options.mission.tasking?.vocabulary);
  }

  get needsConfirmation(): boolean {
    return this.mission.tasking?.requireConfirmation ?? true;
  }

  /**
   * Plans one request. Never throws: every failure is an answer with a reason.
   * `start` is where the robot is now (the dry run flies the plan from there);
   * `nowMs` is the runtime clock's time for the guard.
   */
  async plan(rawRequest: string, start: DryRunStart, nowMs: number, planId?: string): Promise<TaskingAnswer> {
    const t0 = this.now();
    const id = planId ?? `plan-${++this.seq}`;
    const request = rawRequest.replace(CONTROL_CHARS, ' ').trim();
    const base = {
      planId: id,
      request,
      rejections: [] as PlanRejection[],
      needsConfirmation: this.needsConfirmation,
      model: { backend: this.model.info.backend, device: this.model.info.device, sha256: this.model.info.sha256 },
    };
    if (request.length === 0)
      return this.done({ ...base, status: 'refused', summary: 'refused: the request is empty' });
    if (request.length > this.maxRequestChars) {
      return this.done({
        ...base,
        status: 'refused',
        summary: `refused: the request is ${request.length} characters, the mission allows ${this.maxRequestChars}; the model did not run`,
      });
    }

    let generated: Awaited<ReturnType<PlanGenerator['generate']>>;
    try {
      generated = await this.generateWithin(request);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return this.done({
        ...base,
        status: 'failed',
        summary: `failed: the language model failed (${message}); the current plan keeps running`,
      });
    }
    const modelMs = generated.durationMs;
    const latency = (): TaskingLatency => ({
      modelMs,
      totalMs: this.now() - t0,
      firstTokenMs: generated.firstTokenMs,
      tokens: generated.tokens,
      promptTokens: generated.promptTokens,
      tokensPerSecond: generated.tokensPerSecond,
    });
    if (generated.stopReason === 'timeout' || generated.stopReason === 'max_tokens') {
      const why =
        generated.stopReason === 'timeout'
          ? `ran out of its ${this.timeBudgetMs} ms time budget`
          : `ran out of tokens (${generated.tokens})`;
      return this.done({
        ...base,
        status: 'failed',
        output: generated.text,
        summary: `failed: the model ${why} before finishing a plan; the current plan keeps running`,
        latency: latency(),
      });
    }
    const parsed = parsePlanText(generated.text);
    if (!parsed.ok) {
      return this.done({
        ...base,
        status: 'failed',
        output: generated.text,
        summary: `failed: ${parsed.reason}; the current plan keeps running`,
        latency: latency(),
      });
    }

    // The plan names the place the operator said, where the model answered part of it (place-words.ts).
    const said =
      parsed.plan.zone !== undefined && this.grounding
        ? placeOf(request, this.zones, parsed.plan.zone, this.vocabulary)
        : undefined;
    const proposed = said !== undefined ? { ...parsed.plan, zone: said } : parsed.plan;
    const compiled = compilePlan(proposed, this.mission, this.zones, id);
    const { areaName } = compiled.retask;
    const plan = areaName !== undefined ? { ...proposed, zone: areaName } : proposed;
    const guard = compiled.rejections.length === 0 ? dryRunPlan(compiled, this.mission, start, nowMs) : undefined;
    const common = {
      ...base,
      output: generated.text,
      plan,
      retask: compiled.retask,
      rejections: compiled.rejections,
      ...(guard !== undefined ? { guard } : {}),
    };
    if (compiled.rejections.length > 0) {
      return this.done({
        ...common,
        status: 'rejected',
        summary: `rejected: ${compiled.rejections.map((r) => r.reason).join('; ')}`,
        latency: latency(),
      });
    }
    if (guard?.verdict === 'deny') {
      const denied = guard.steps.filter((s) => s.verdict === 'deny');
      const reasons = [...new Set(denied.map((s) => `${s.reason} [${s.ruleId}]`))];
      return this.done({
        ...common,
        status: 'rejected',
        summary: `rejected by the guard: ${denied.length} of ${guard.steps.length} steps denied: ${reasons.slice(0, 3).join('; ')}`,
        latency: latency(),
      });
    }
    const modified = guard?.steps.filter((s) => s.verdict === 'modify').length ?? 0;
    const override = this.grounding ? overrideAttempt(request) : undefined;
    const what =
      override === undefined
        ? describePlan(plan)
        : `${describePlan(plan)} (the request tries to set the guardrails aside: "${override}"; only hold is admitted)`;
    const then = this.needsConfirmation ? 'waits for operator confirmation' : 'takes effect now';
    return this.done({
      ...common,
      status: 'proposed',
      summary: `proposed: ${what}${modified > 0 ? ` (the guard modifies ${modified} step${modified === 1 ? '' : 's'})` : ''}; ${then}`,
      latency: latency(),
    });
  }

  /** The model's own time budget, and a hard stop in case a backend overruns it. */
  private async generateWithin(request: string): Promise<Awaited<ReturnType<PlanGenerator['generate']>>> {
    const controller = new AbortController();
    // Grace for the backend to notice the abort and return what it has.
    const hardMs = this.timeBudgetMs * 2 + 250;
    let timer: NodeJS.Timeout | undefined;
    const overrun = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`no answer within ${hardMs} ms`));
      }, hardMs);
    });
    try {
      return await Promise.race([
        this.model.generate({
          prompt: request,
          schema: this.grounding ? groundedPlanSchema(request, this.zones, this.vocabulary) : PLAN_JSON_SCHEMA,
          timeBudgetMs: this.timeBudgetMs,
          signal: controller.signal,
          ...(this.maxTokens !== undefined ? { maxTokens: this.maxTokens } : {}),
        }),
        overrun,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private done(answer: TaskingAnswer): TaskingAnswer {
    this.logger.info(
      {
        planId: answer.planId,
        status: answer.status,
        modelMs: answer.latency?.modelMs,
        verdict: answer.guard?.verdict,
      },
      answer.summary,
    );
    return answer;
  }
}

function describePlan(plan: Plan): string {
  const parts: string[] = [plan.behavior.replace('_', ' ')];
  // Say where a plan with no zone flies: "land" alone, confirmed by an operator who asked to land at base, lands here.
  if (plan.zone !== undefined) parts.push(`in ${plan.zone}`);
  else if (plan.behavior === 'hold' || plan.behavior === 'land') parts.push('where it is now');
  else if (plan.behavior === 'area_search') parts.push("over the mission's search area");
  if (plan.altitudeM !== undefined) parts.push(`at ${plan.altitudeM} m`);
  if (plan.speedMps !== undefined) parts.push(`${plan.speedMps} m/s`);
  if (plan.returnHomePct !== undefined) parts.push(`home at ${plan.returnHomePct}%`);
  if (plan.targets !== undefined) parts.push(`targets ${plan.targets.length > 0 ? plan.targets.join(' > ') : 'none'}`);
  if (plan.payload !== undefined) parts.push(`payload ${plan.payload}`);
  return parts.join(', ');
}

/** Where a robot that has not taken off starts the dry run: home, at the mission altitude, full battery. */
export function homeStart(mission: Mission): DryRunStart {
  const alt = 'altitudeM' in mission.behavior ? (mission.behavior.altitudeM ?? 0) : 0;
  return { positionM: { x: 0, y: 0, z: alt }, batteryPct: 100, targets: [] };
}
