import type { Action, Decision } from '../../runtime/index.js';
import { GuardError } from '../errors.js';
import { findActionProblem } from './action-check.js';
import { tightens } from './motion.js';
import type { Evidence, GuardProposal, GuardRule, GuardState, RuleResult } from './rule.js';

/** Id used in decisions the pipeline itself makes (not any one rule). */
export const PIPELINE_ID = 'guard';

const NO_RULES: readonly GuardRule[] = Object.freeze([]);

/** One rule's own verdict in `GuardPipeline.explain`. */
export interface RuleTrace {
  readonly ruleId: string;
  readonly verdict: 'allow' | 'modify' | 'deny';
  readonly code?: string;
  readonly reason?: string;
  /** The action as this rule left it (modify only). */
  readonly action?: Action;
  readonly evidence?: Evidence;
}

/**
 * Runs rules in order over one proposal and turns the outcome into a
 * `Decision` value:
 *
 * - the first `deny` decides; nothing after it runs;
 * - a `modify` replaces the action the next rules see (modifications chain),
 *   and the decision names the last rule that modified;
 * - a modification may only tighten (see `tightens`), never loosen what an
 *   earlier rule allowed;
 * - a rule that throws, returns something that is not a result, or hands back
 *   an action with a NaN in it denies with `rule.error` (fail closed);
 * - `stop` is always allowed, by no rule's leave: stopping must never wait on
 *   a rule that might throw;
 * - an action with a NaN, an infinity or a malformed field is denied before
 *   any rule sees it (the `action-sanity` rule adds registered-name checks).
 *
 * When every rule approved, each rule's `commit` runs with the final action.
 */
export class GuardPipeline {
  readonly rules: readonly GuardRule[];
  /** Frozen once, and shared by every allow decision's evidence. */
  private readonly ruleIds: readonly string[];
  private readonly committers: readonly GuardRule[];

  constructor(rules: readonly GuardRule[]) {
    const seen = new Set<string>();
    for (const r of rules) {
      if (seen.has(r.id)) throw new GuardError('guard.duplicate_rule', `two guard rules have the id "${r.id}"`);
      seen.add(r.id);
    }
    this.rules = Object.freeze([...rules]);
    this.ruleIds = Object.freeze(rules.map((r) => r.id));
    this.committers = Object.freeze(rules.filter((r) => typeof r.commit === 'function'));
  }

  decide(proposal: GuardProposal, state: GuardState, nowMs: number): Decision {
    return this.run(proposal, state, nowMs, true);
  }

  /**
   * The decision `decide` would make now, with no side effects: no rule's
   * `commit` runs, so no rate-limit slot, acceleration memory or one-use
   * confirmation is spent. For dry runs (tasking plans, `kestrel guard check`).
   */
  preview(proposal: GuardProposal, state: GuardState, nowMs: number): Decision {
    return this.run(proposal, state, nowMs, false);
  }

  /**
   * Every rule's own verdict on the proposal, in order, without side effects:
   * unlike `decide`, it goes on past a deny (with the action as it stood), so
   * an operator sees every guardrail a plan runs into, not just the first.
   * Each rule sees the action as the rules before it modified it.
   */
  explain(proposal: GuardProposal, state: GuardState, nowMs: number): RuleTrace[] {
    const trace: RuleTrace[] = [];
    const requested = proposal.action;
    if ((requested as { kind?: unknown } | undefined)?.kind === 'stop') return trace;
    if (findActionProblem(requested) !== undefined) return trace;
    let action: Action = requested;
    for (const rule of this.rules) {
      let result: RuleResult;
      try {
        result = rule.evaluate(action, state, nowMs, proposal);
      } catch (error) {
        trace.push({
          ruleId: rule.id,
          verdict: 'deny',
          code: 'rule.error',
          reason: `rule "${rule.id}" threw: ${describe(error)}`,
        });
        continue;
      }
      const verdict = (result as { verdict?: unknown } | null | undefined)?.verdict;
      if (verdict === 'allow') {
        trace.push({ ruleId: rule.id, verdict: 'allow' });
      } else if (verdict === 'deny') {
        const r = result as Extract<RuleResult, { verdict: 'deny' }>;
        trace.push({
          ruleId: rule.id,
          verdict: 'deny',
          code: r.code,
          reason: r.reason,
          ...(r.evidence === undefined ? {} : { evidence: r.evidence }),
        });
      } else if (verdict === 'modify') {
        const r = result as Extract<RuleResult, { verdict: 'modify' }>;
        const usable = findActionProblem(r.action) === undefined && tightens(action, r.action);
        trace.push({
          ruleId: rule.id,
          verdict: usable ? 'modify' : 'deny',
          code: usable ? r.code : 'rule.error',
          reason: usable ? r.reason : `rule "${rule.id}" returned an unusable or loosening action`,
          ...(usable ? { action: r.action } : {}),
          ...(r.evidence === undefined ? {} : { evidence: r.evidence }),
        });
        if (usable) action = r.action;
      } else {
        trace.push({
          ruleId: rule.id,
          verdict: 'deny',
          code: 'rule.error',
          reason: `rule "${rule.id}" returned no verdict`,
        });
      }
    }
    return trace;
  }

  private run(proposal: GuardProposal, state: GuardState, nowMs: number, commit: boolean): Decision {
    const requested = proposal.action;
    if ((requested as { kind?: unknown } | undefined)?.kind === 'stop') {
      return this.decision(
        proposal,
        nowMs,
        'allow',
        requested,
        PIPELINE_ID,
        'stop.always_allowed',
        'stop is always allowed',
      );
    }
    // NaN compares false against every limit, so no rule could be trusted with one: refuse it before any runs.
    const problem = findActionProblem(requested);
    if (problem !== undefined) {
      return this.decision(proposal, nowMs, 'deny', undefined, PIPELINE_ID, problem.code, problem.message, {
        field: problem.path,
        value: problem.value,
      });
    }
    let action: Action = requested;
    let modifiedBy: { id: string; code: string; reason: string; evidence: Evidence | undefined } | undefined;
    const rules = this.rules;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i] as GuardRule;
      let result: RuleResult;
      try {
        result = rule.evaluate(action, state, nowMs, proposal);
      } catch (error) {
        return this.ruleError(proposal, nowMs, rule.id, `rule "${rule.id}" threw: ${describe(error)}`, i);
      }
      const verdict = (result as { verdict?: unknown } | null | undefined)?.verdict;
      if (verdict === 'allow') continue;
      if (verdict === 'deny') {
        const r = result as Extract<RuleResult, { verdict: 'deny' }>;
        return this.decision(
          proposal,
          nowMs,
          'deny',
          undefined,
          rule.id,
          r.code,
          r.reason,
          this.evidence(r.evidence, i),
        );
      }
      if (verdict !== 'modify') {
        return this.ruleError(proposal, nowMs, rule.id, `rule "${rule.id}" returned no verdict`, i);
      }
      const r = result as Extract<RuleResult, { verdict: 'modify' }>;
      const problem = findActionProblem(r.action);
      if (problem !== undefined) {
        return this.ruleError(
          proposal,
          nowMs,
          rule.id,
          `rule "${rule.id}" returned an unusable action: ${problem.message}`,
          i,
        );
      }
      if (!tightens(action, r.action)) {
        return this.decision(
          proposal,
          nowMs,
          'deny',
          undefined,
          rule.id,
          'rule.loosened',
          `rule "${rule.id}" tried to loosen the action (${r.code}); modifications may only tighten`,
          this.evidence({ before: action, after: r.action }, i),
        );
      }
      action = r.action;
      modifiedBy = { id: rule.id, code: r.code, reason: r.reason, evidence: r.evidence };
      // A stop needs no further checks: every rule must allow it.
      if (action.kind === 'stop') break;
    }
    const committers = commit ? this.committers : NO_RULES;
    for (let i = 0; i < committers.length; i++) {
      const rule = committers[i] as GuardRule;
      try {
        rule.commit?.(action, proposal, nowMs);
      } catch (error) {
        return this.ruleError(
          proposal,
          nowMs,
          rule.id,
          `rule "${rule.id}" failed to commit: ${describe(error)}`,
          rules.length - 1,
        );
      }
    }
    if (modifiedBy === undefined) {
      return this.decision(proposal, nowMs, 'allow', action, PIPELINE_ID, 'allow', `all ${rules.length} rules allow`, {
        rulesEvaluated: this.ruleIds,
      });
    }
    return this.decision(
      proposal,
      nowMs,
      'modify',
      action,
      modifiedBy.id,
      modifiedBy.code,
      modifiedBy.reason,
      this.evidence(modifiedBy.evidence, rules.length - 1),
    );
  }

  private ruleError(proposal: GuardProposal, nowMs: number, ruleId: string, reason: string, index: number): Decision {
    return this.decision(
      proposal,
      nowMs,
      'deny',
      undefined,
      ruleId,
      'rule.error',
      reason,
      this.evidence(undefined, index),
    );
  }

  private evidence(evidence: Evidence | undefined, lastIndex: number): Evidence {
    const rulesEvaluated = lastIndex === this.ruleIds.length - 1 ? this.ruleIds : this.ruleIds.slice(0, lastIndex + 1);
    return evidence === undefined ? { rulesEvaluated } : { ...evidence, rulesEvaluated };
  }

  private decision(
    proposal: GuardProposal,
    nowMs: number,
    verdict: Decision['verdict'],
    action: Action | undefined,
    ruleId: string,
    code: string,
    reason: string,
    evidence?: Evidence,
  ): Decision {
    // Built field by field rather than with conditional spreads: this runs once per proposal.
    const d: { -readonly [K in keyof Decision]: Decision[K] } = {
      proposalId: proposal.id,
      source: proposal.source,
      verdict,
      requested: proposal.action,
      ruleId,
      code,
      reason,
      decidedAtMs: nowMs,
    };
    if (action !== undefined) d.action = action;
    if (evidence !== undefined) d.evidence = evidence;
    if (proposal.basis !== undefined) d.basis = proposal.basis;
    return d;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    return 'an unprintable value';
  }
}
