import type { z } from 'zod';
import { formatPath, type IssuePath } from '../runtime/index.js';
import type { MissionIssue } from './mission-error.js';

type ZodIssue = z.core.$ZodIssue;

/**
 * Turns zod's issues into one line each that an operator can act on. Unions
 * are the hard case: zod reports every branch that failed; we keep the branch
 * that got furthest (its issues sit deepest in the document), since that is
 * the shape the operator was writing.
 */
export function toMissionIssues(issues: readonly ZodIssue[], basePath: IssuePath = []): MissionIssue[] {
  const out: MissionIssue[] = [];
  for (const issue of issues) {
    const path = [...basePath, ...issue.path.map(pathKey)];
    const tagOptions = discriminatorOptions(issue);
    if (tagOptions !== undefined && issue.code === 'invalid_union') {
      // A discriminated union whose tag matched no branch; zod attaches the allowed tags as `options`.
      const options = tagOptions.map((o) => JSON.stringify(o)).join(', ');
      const input = issue.input;
      const tag =
        typeof input === 'object' && input !== null && typeof issue.discriminator === 'string'
          ? (input as Record<string, unknown>)[issue.discriminator]
          : input;
      out.push({ code: 'invalid_value', path, message: `must be one of ${options}, got ${describe(tag)}` });
      continue;
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      out.push(...toMissionIssues(bestBranch(issue.errors), path));
      continue;
    }
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ code: 'unrecognized_keys', path: [...path, key], message: `unknown key "${key}"` });
      }
      continue;
    }
    out.push({ code: issue.code, path, message: messageOf(issue) });
  }
  return out;
}

function discriminatorOptions(issue: ZodIssue): readonly unknown[] | undefined {
  if (issue.code !== 'invalid_union' || issue.errors.length > 0) return undefined;
  const options: unknown = (issue as { options?: unknown }).options;
  return Array.isArray(options) ? options : undefined;
}

function pathKey(k: PropertyKey): string | number {
  return typeof k === 'number' ? k : String(k);
}

function bestBranch(branches: readonly (readonly ZodIssue[])[]): readonly ZodIssue[] {
  let best = branches[0] ?? [];
  let bestScore = -Infinity;
  for (const branch of branches) {
    // Deeper issues mean the branch matched more of the input; fewer issues break ties.
    const depth = Math.max(0, ...branch.map((i) => i.path.length));
    const typeMismatchAtRoot = branch.some((i) => i.code === 'invalid_type' && i.path.length === 0);
    const score = depth * 100 - branch.length - (typeMismatchAtRoot ? 1000 : 0);
    if (score > bestScore) {
      bestScore = score;
      best = branch;
    }
  }
  return best;
}

function messageOf(issue: ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? `required (${issue.expected})`
        : `expected ${issue.expected}, got ${describe(issue.input)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describe(issue.input)}`;
    case 'too_small':
    case 'too_big': {
      const op =
        issue.code === 'too_small' ? (issue.inclusive === false ? '>' : '>=') : issue.inclusive === false ? '<' : '<=';
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      if (issue.origin === 'array') return `needs ${op} ${String(bound)} items, got ${describe(issue.input)}`;
      if (issue.origin === 'string') return `needs ${op} ${String(bound)} characters`;
      return `must be ${op} ${String(bound)}, got ${describe(issue.input)}`;
    }
    default:
      return issue.message;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return typeof value === 'object' ? 'an object' : typeof value;
}

/** `file:line:col: path: message`, the form editors and terminals turn into links. */
export function renderIssue(issue: MissionIssue, file?: string): string {
  const where =
    file === undefined ? '' : issue.line === undefined ? `${file}: ` : `${file}:${issue.line}:${issue.column ?? 1}: `;
  const path = issue.path.length === 0 ? '' : `${formatPath(issue.path)}: `;
  return `${where}${path}${issue.message}`;
}
