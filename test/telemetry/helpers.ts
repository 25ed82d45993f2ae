import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { WallClock, type Clock, type TimerHandle } from '../../runtime/index.js';

/** Polls `cond` every 20 ms of real time until it holds; throws with `what` after `timeoutMs`. */
export async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface Received {
  readonly topic: string;
  readonly payload: unknown;
  /** MQTT 5 properties of the PUBLISH as received (content type, payload format indicator). */
  readonly contentType?: string;
  readonly payloadFormatIndicator?: boolean;
  readonly raw: Buffer;
}

/**
 * A ground-station subscriber. `persistent` uses MQTT 3.1.1 with a clean=false
 * session, so a broker with persistence keeps its subscription and queued
 * messages across a broker restart. `connect` adds client options (TLS files,
 * credentials). Payloads are parsed as JSON when they are JSON; `raw` keeps the bytes.
 */
export async function subscriber(
  url: string,
  filter: string,
  options: { persistent?: string; connect?: IClientOptions } = {},
): Promise<{
  client: MqttClient;
  messages: Received[];
}> {
  const messages: Received[] = [];
  const client = mqtt.connect(url, {
    ...(options.persistent === undefined
      ? { protocolVersion: 5 as const, clean: true }
      : { protocolVersion: 4 as const, clean: false, clientId: options.persistent }),
    reconnectPeriod: 100,
    ...options.connect,
  });
  client.on('error', () => undefined);
  client.on('message', (topic, payload, packet) => {
    const text = payload.toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      // A deliberately malformed command the ground station sent itself, or a binary payload.
      parsed = text;
    }
    const props = packet.properties;
    messages.push({
      topic,
      payload: parsed,
      raw: payload,
      ...(props?.contentType === undefined ? {} : { contentType: props.contentType }),
      ...(props?.payloadFormatIndicator === undefined ? {} : { payloadFormatIndicator: props.payloadFormatIndicator }),
    });
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  await client.subscribeAsync(filter, { qos: 1 });
  return { client, messages };
}

/**
 * Checks a stream as a receiver would: every sequence number 0..n-1 arrived,
 * and dropping duplicates (at-least-once) leaves them in order.
 */
export function checkStream(messages: readonly Received[], topic: string, n: number): { duplicates: number } {
  const firsts: number[] = [];
  const seen = new Set<number>();
  let duplicates = 0;
  for (const m of messages) {
    if (m.topic !== topic) continue;
    const seq = (m.payload as { seq: number }).seq;
    if (seen.has(seq)) {
      duplicates++;
      continue;
    }
    seen.add(seq);
    firsts.push(seq);
  }
  const expected = Array.from({ length: n }, (_, i) => i);
  if (firsts.length !== n || firsts.some((s, i) => s !== i)) {
    const missing = expected.filter((s) => !seen.has(s));
    const outOfOrder = firsts.findIndex((s, i) => s !== i);
    throw new Error(
      `${topic}: got ${firsts.length}/${n} distinct; missing ${missing.slice(0, 10).join(',')}${missing.length > 10 ? '…' : ''}; first out-of-order position ${outOfOrder}`,
    );
  }
  return { duplicates };
}

/**
 * A wall clock whose timers can be held: while held, due timers wait and fire
 * on release. Lets a test keep the robot's reconnect backoff from firing until
 * the ground station is back on a restarted broker.
 */
export class GatedClock implements Clock {
  readonly kind = 'wall' as const;
  private readonly inner = new WallClock();
  private held = false;
  private waiting: (() => void)[] = [];

  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
    const fns = this.waiting;
    this.waiting = [];
    for (const fn of fns) fn();
  }

  nowMs(): number {
    return this.inner.nowMs();
  }

  monoMs(): number {
    return this.inner.monoMs();
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    let cancelled = false;
    const t = this.inner.setTimeout(() => {
      if (cancelled) return;
      if (this.held) this.waiting.push(() => !cancelled && fn());
      else fn();
    }, delayMs);
    return {
      cancel: () => {
        cancelled = true;
        t.cancel();
      },
    };
  }

  setInterval(fn: () => void, periodMs: number): TimerHandle {
    return this.inner.setInterval(fn, periodMs);
  }

  sleep(delayMs: number): Promise<void> {
    return this.inner.sleep(delayMs);
  }
}
