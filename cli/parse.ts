import { InvalidArgumentError } from 'commander';

export function parsePositiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a number > 0, got "${value}"`);
  return n;
}

/** `--speed 10` or `--speed max`. */
export function parseSpeed(value: string): number {
  if (value === 'max') return Infinity;
  return parsePositiveNumber(value);
}

export function parseUnitInterval(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1)
    throw new InvalidArgumentError(`expected a number in 0..1, got "${value}"`);
  return n;
}
