import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import {
  GuardError,
  dryRunActions,
  type DryRunResult,
  type GuardProposal,
  type GuardState,
} from '../../control/index.js';
import { loadMissionFile } from '../../missions/index.js';
import { actionSchema, yawToQuaternion, type PoseEstimate } from '../../runtime/index.js';
import { EXIT, type CliIo } from '../io.js';

/** The CLI's io, plus where `guard check` reads actions when no `--actions` file is named (tests pass a stream). */
export type GuardCliIo = CliIo & { readonly stdin?: AsyncIterable<string | Uint8Array> };

/** Decisions are made at this instant; the state file gives ages, not stamps, so output is the same on every run. */
const NOW_MS = 0;

const finite = z.number();
const ageMs = z.number().nonnegative().default(0).describe('How old the reading is, ms. Default 0 (fresh).');

/**
 * `--state <state.json>`: what the guard knows, in the mission's local ENU
 * frame (x east, y north, z up, metres). A field left out is unknown to the
 * guard, as on a robot that never received it.
 */
export const guardCheckStateSchema = z.strictObject({
  pose: z
    .strictObject({
      x: finite,
      y: finite,
      z: finite.default(0).describe('Height, m. Default 0.'),
      yawDeg: finite.default(0).describe('Heading, degrees counter-clockwise from east. Default 0.'),
      velocityMps: z.strictObject({ x: finite, y: finite, z: finite }).optional().describe('ENU velocity, m/s.'),
      ageMs,
    })
    .optional(),
  battery: z.strictObject({ percent: z.number().min(0).max(100), ageMs }).optional(),
  targets: z
    .array(
      z.strictObject({
        id: z.string().optional(),
        class: z.string().describe('Target class, e.g. person.'),
        x: finite,
        y: finite,
        z: finite.default(0),
      }),
    )
    .default([]),
  estop: z.boolean().default(false).describe('Judge with the e-stop engaged. Default false.'),
  returnHomePct: z
    .number()
    .optional()
    .describe('Return-home threshold after retasks, %; below the mission value the mission value applies.'),
});
type StateFile = z.infer<typeof guardCheckStateSchema>;

/** Without `--state`: at the local origin, at rest, fresh pose, full battery. */
const DEFAULT_STATE: StateFile = {
  pose: { x: 0, y: 0, z: 0, yawDeg: 0, ageMs: 0 },
  battery: { percent: 100, ageMs: 0 },
  targets: [],
  estop: false,
};

const proposalLineSchema = z.strictObject({
  id: z.string().optional(),
  source: z.string().optional(),
  action: actionSchema,
});

/**
 * `kestrel guard check --mission <file> [--state <state.json>] < actions.jsonl`:
 * judges each proposed action (one JSON action, or `{id?, source?, action}`,
 * per line) against the mission's guardrails and prints one JSON decision per
 * line, with every rule's own verdict in `rules`. Nothing is commanded and
 * nothing is spent (no rate-limit slot): each line is judged from the same
 * state, or leg by leg with `--route`. Exit 0 when every action would run
 * (allowed or modified), 1 when any is denied or a line is not an action.
 */
export function registerGuard(program: Command, io: GuardCliIo, setExit: (code: number) => void): void {
  const guard = program.command('guard').description('dry-run the guard: what the mission would allow');
  guard
    .command('check')
    .description('judge proposed actions (JSON lines on stdin) against a mission; one JSON decision per line')
    .requiredOption('--mission <file>', 'mission file (.yaml, .yml, .json)')
    .option(
      '--state <file>',
      'state JSON: pose {x,y,z,yawDeg,velocityMps,ageMs}, battery {percent,ageMs}, targets, estop',
    )
    .option('--actions <file>', 'read the actions from this JSON-lines file instead of stdin')
    .option('--route', 'judge the gotos as a route: each from the previous target, not all from the state')
    .action(async (opts: { mission: string; state?: string; actions?: string; route?: boolean }) => {
      const { mission } = await loadMissionFile(opts.mission);
      const stateFile = opts.state === undefined ? DEFAULT_STATE : await readState(opts.state);
      const text =
        opts.actions === undefined ? await readAll(io.stdin ?? process.stdin) : await readFile(opts.actions, 'utf8');
      // An object, not a let: the closures below set it and the linter cannot see that.
      const outcome = { failed: false };
      const proposals: { line: number; proposal: GuardProposal }[] = [];
      text.split(/\r?\n/).forEach((raw, i) => {
        const line = i + 1;
        if (raw.trim() === '') return;
        const parsed = parseLine(raw, line);
        if ('error' in parsed) {
          outcome.failed = true;
          io.out(`${JSON.stringify({ line, ok: false, error: parsed.error })}\n`);
          return;
        }
        proposals.push({ line, proposal: parsed.proposal });
      });
      const results: DryRunResult[] = dryRunActions(
        {
          guardrails: mission.guardrails,
          platform: mission.platform,
          ...(mission.origin === undefined ? {} : { origin: mission.origin }),
          ...(stateFile.returnHomePct === undefined ? {} : { returnHomePct: stateFile.returnHomePct }),
          estopEngaged: stateFile.estop,
          route: opts.route === true,
        },
        toGuardState(stateFile),
        proposals.map((p) => p.proposal),
        NOW_MS,
      );
      results.forEach((r, i) => {
        if (r.decision.verdict === 'deny') outcome.failed = true;
        io.out(`${JSON.stringify({ line: proposals[i]?.line, ...r.decision, rules: r.rules })}\n`);
      });
      setExit(outcome.failed ? EXIT.failed : EXIT.ok);
    });
}

function parseLine(
  raw: string,
  line: number,
): { proposal: GuardProposal } | { error: { code: string; message: string; issues: unknown[] } } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    return {
      error: {
        code: 'guard.action_invalid',
        message: `line ${line}: not JSON (${error instanceof Error ? error.message : String(error)})`,
        issues: [],
      },
    };
  }
  // A bare action or a proposal wrapping one; picked by shape so errors name the field, not the union.
  const isProposal = typeof json === 'object' && json !== null && 'action' in json;
  const r = isProposal ? proposalLineSchema.safeParse(json) : actionSchema.safeParse(json);
  if (!r.success) {
    return {
      error: {
        code: 'guard.action_invalid',
        message: `line ${line}: not an action`,
        issues: r.error.issues.map((x) => ({ code: x.code, path: x.path, message: x.message })),
      },
    };
  }
  const v: z.infer<typeof proposalLineSchema> | z.infer<typeof actionSchema> = r.data;
  const proposal: GuardProposal =
    'action' in v
      ? { id: v.id ?? `line-${line}`, source: v.source ?? 'cli/guard-check', action: v.action, proposedAtMs: NOW_MS }
      : { id: `line-${line}`, source: 'cli/guard-check', action: v, proposedAtMs: NOW_MS };
  return { proposal };
}

async function readState(file: string): Promise<StateFile> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new GuardError('guard.state_invalid', `${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const r = guardCheckStateSchema.safeParse(json);
  if (!r.success) {
    throw new GuardError('guard.state_invalid', `${file}: not a guard state`, {
      issues: r.error.issues.map((x) => ({
        code: x.code,
        path: x.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
        message: x.message,
      })),
    });
  }
  return r.data;
}

function toGuardState(s: StateFile): GuardState {
  const out: { -readonly [K in keyof GuardState]: GuardState[K] } = {
    targets: s.targets.map((t, i) => ({
      id: t.id ?? `target-${i + 1}`,
      className: t.class,
      positionM: { x: t.x, y: t.y, z: t.z },
      varianceM2: { x: 0, y: 0 },
      confidence: 1,
      lastSeenMs: NOW_MS,
    })),
    targetsStampMs: NOW_MS,
  };
  if (s.pose !== undefined) {
    const yawRad = (s.pose.yawDeg * Math.PI) / 180;
    const pose: PoseEstimate = {
      frameId: 'map',
      positionM: { x: s.pose.x, y: s.pose.y, z: s.pose.z },
      orientation: yawToQuaternion(yawRad),
      yawRad,
      poseCovariance: new Array<number>(36).fill(0),
      linearVelocityMps: s.pose.velocityMps ?? { x: 0, y: 0, z: 0 },
      yawRateRps: 0,
      source: 'guard-check',
    };
    out.pose = pose;
    out.poseStampMs = NOW_MS - s.pose.ageMs;
  }
  if (s.battery !== undefined) {
    out.battery = { frameId: 'battery', percent: s.battery.percent, voltageV: 0, currentA: 0 };
    out.batteryStampMs = NOW_MS - s.battery.ageMs;
  }
  return out;
}

async function readAll(stream: AsyncIterable<string | Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of stream) text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}
