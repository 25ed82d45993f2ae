import type { Action, Decision } from '../../runtime/index.js';
import { GuardError } from '../errors.js';
import { findActionProblem } from './action-check.js';
import { tightens } from './motion.js';
import type { Evidence, GuardProposal, GuardRule, GuardState, RuleResult } from './rule.js';

/** Id used in decisions the pipeline itself makes (not any one rule). */
export const PIPELINE_ID = 'guard';

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
    const committers = this.committers;
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
