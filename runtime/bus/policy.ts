/**
 * How a subscription copes when its handler is slower than the publisher.
 *
 * - `latest`: keep only the newest message. For camera frames and state: a
 *   detector that falls behind should see the freshest frame, not a backlog.
 * - `queue`: keep up to `depth` messages, dropping the oldest when full.
 * - `reliable`: never drop. For safety events and guard decisions; the queue
 *   grows, and crossing `warnDepth` is reported so a stuck consumer is visible.
 */
export type DeliveryPolicy =
  | { readonly kind: 'latest' }
  | { readonly kind: 'queue'; readonly depth: number }
  | { readonly kind: 'reliable'; readonly warnDepth?: number };

export const latest: DeliveryPolicy = Object.freeze({ kind: 'latest' });

export function queue(depth: number): DeliveryPolicy {
  if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`queue depth must be an integer >= 1, got ${depth}`);
  return { kind: 'queue', depth };
}

export function reliable(warnDepth = 10_000): DeliveryPolicy {
  return { kind: 'reliable', warnDepth };
}
