import { KestrelError, type OperatorMessage } from '../../runtime/index.js';
import { SCHEMA_VERSION, type CommandAck } from '../topics.js';
import { signingBytes } from './canonical.js';
import type { OperatorKey } from './keys.js';
import { ReplayCache } from './replay-cache.js';
import { MAX_COMMAND_BYTES, signedCommandSchema } from './wire.js';

/**
 * Why a command was rejected. Codes are API:
 * `command.malformed`, `command.kind_mismatch`, `command.wrong_robot`,
 * `command.unknown_operator`, `command.bad_signature`, `command.ttl_too_long`,
 * `command.not_yet_valid`, `command.expired`, `command.replayed`,
 * `command.replay_cache_full`, `command.unauthorized`.
 */
export class CommandRejection extends KestrelError {
  constructor(
    code: string,
    message: string,
    readonly commandId: string | null = null,
    readonly operator: string | null = null,
  ) {
    super(code, message);
  }
}

export type CommandVerdict =
  | { readonly accepted: true; readonly message: OperatorMessage; readonly ack: CommandAck }
  | { readonly accepted: false; readonly rejection: CommandRejection; readonly ack: CommandAck };

export interface CommandChannelOptions {
  readonly robotId: string;
  readonly operators: ReadonlyMap<string, OperatorKey>;
  /** Default 30000. */
  readonly maxTtlMs?: number;
  /** Default 2000. */
  readonly maxClockSkewMs?: number;
  /** Default 10000. */
  readonly replayCacheEntries?: number;
}

/**
 * The checks every operator command passes, in order; the first that fails
 * decides the rejection:
 *   1. size, JSON and schema (`command.malformed`);
 *   2. the topic's kind is the command's kind (`command.kind_mismatch`);
 *   3. addressed to this robot (`command.wrong_robot`);
 *   4. a known operator (`command.unknown_operator`) whose key made the signature (`command.bad_signature`);
 *   5. fresh: ttl within the bound (`command.ttl_too_long`), not issued in the future beyond the
 *      skew (`command.not_yet_valid`), not expired (`command.expired`);
 *   6. not seen before (`command.replayed`);
 *   7. the operator may give this kind (`command.unauthorized`).
 * Authentication comes before freshness and replay, so a forger can neither
 * fill the replay cache nor learn which ids are live. Pure: time is an argument.
 */
export class CommandChannel {
  private readonly replay: ReplayCache;
  private readonly maxTtlMs: number;
  private readonly maxSkewMs: number;

  constructor(private readonly options: CommandChannelOptions) {
    this.replay = new ReplayCache(options.replayCacheEntries ?? 10_000);
    this.maxTtlMs = options.maxTtlMs ?? 30_000;
    this.maxSkewMs = options.maxClockSkewMs ?? 2_000;
  }

  /** Checks a command that arrived on `.../cmd/<topicKind>` at `nowMs` (epoch ms). */
  handle(topicKind: string, payload: Buffer | string, nowMs: number): CommandVerdict {
    const result = this.check(topicKind, payload, nowMs);
    const ack = (code: string, reason: string, commandId: string | null, operator: string | null): CommandAck => ({
      v: SCHEMA_VERSION,
      robot: this.options.robotId,
      commandId,
      operator,
      accepted: code === 'command.accepted',
      code,
      reason,
      stampMs: nowMs,
    });
    if (result instanceof CommandRejection) {
      return {
        accepted: false,
        rejection: result,
        ack: ack(result.code, result.message, result.commandId, result.operator),
      };
    }
    return {
      accepted: true,
      message: result,
      ack: ack('command.accepted', `${result.command.kind} accepted`, result.commandId, result.operator),
    };
  }

  /** Command ids remembered now (for health and tests). */
  get replayCacheSize(): number {
    return this.replay.size;
  }

  private check(topicKind: string, payload: Buffer | string, nowMs: number): OperatorMessage | CommandRejection {
    const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
    if (size > MAX_COMMAND_BYTES) {
      return new CommandRejection('command.malformed', `command is ${size} bytes; at most ${MAX_COMMAND_BYTES}`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
    } catch {
      return new CommandRejection('command.malformed', 'command is not JSON');
    }
    const parsed = signedCommandSchema.safeParse(raw);
    const idOf = (field: string): string | null => {
      const v = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)[field] : undefined;
      return typeof v === 'string' ? v.slice(0, 128) : null;
    };
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue === undefined || issue.path.length === 0 ? '(root)' : issue.path.join('.');
      return new CommandRejection(
        'command.malformed',
        `${where}: ${issue?.message ?? 'invalid'}`,
        idOf('commandId'),
        idOf('operator'),
      );
    }
    const c = parsed.data;
    const reject = (code: string, message: string): CommandRejection =>
      new CommandRejection(code, message, c.commandId, c.operator);

    if (c.command.kind !== topicKind) {
      return reject('command.kind_mismatch', `a ${c.command.kind} command arrived on the ${topicKind} topic`);
    }
    if (c.robot !== this.options.robotId) return reject('command.wrong_robot', `command is for robot "${c.robot}"`);
    const key = this.options.operators.get(c.operator);
    if (key === undefined) return reject('command.unknown_operator', `no operator "${c.operator}" is configured`);
    // The signature covers the command as sent (raw JSON minus sig), not as parsed: parsing fills defaults.
    if (
      c.sig.alg !== key.alg ||
      !key.verify(signingBytes(raw as Record<string, unknown>), Buffer.from(c.sig.value, 'base64'))
    ) {
      return reject(
        'command.bad_signature',
        `signature does not verify with operator "${c.operator}"'s ${key.alg} key`,
      );
    }
    if (c.ttlMs > this.maxTtlMs) return reject('command.ttl_too_long', `ttl ${c.ttlMs} ms exceeds ${this.maxTtlMs} ms`);
    if (c.issuedAtMs > nowMs + this.maxSkewMs) {
      return reject(
        'command.not_yet_valid',
        `issued ${c.issuedAtMs - nowMs} ms in the future (skew allowed ${this.maxSkewMs} ms)`,
      );
    }
    const expiresAtMs = c.issuedAtMs + c.ttlMs;
    if (nowMs > expiresAtMs) return reject('command.expired', `expired ${nowMs - expiresAtMs} ms ago`);
    if (this.replay.has(c.operator, c.commandId, nowMs)) {
      return reject('command.replayed', `command id "${c.commandId}" was already received`);
    }
    if (!this.replay.add(c.operator, c.commandId, expiresAtMs, nowMs)) {
      return reject('command.replay_cache_full', 'too many live commands to remember; refused to stay replay-safe');
    }
    if (!key.allow.has(c.command.kind)) {
      return reject('command.unauthorized', `operator "${c.operator}" may not give ${c.command.kind}`);
    }
    return { operator: c.operator, commandId: c.commandId, command: c.command };
  }
}
