import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Clock, Logger, TimerHandle } from '../runtime/index.js';
import { Backoff } from './backoff.js';
import { classifyConnectError } from './connect-error.js';
import { PAYLOAD_MARKING, type PayloadEncoding } from './encoding.js';
import { TelemetryError } from './errors.js';
import { SCHEMA_VERSION, type RobotTopics, type Status } from './topics.js';

export interface LinkOptions {
  readonly url: string;
  readonly clientId: string;
  readonly robotId: string;
  readonly topics: RobotTopics;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly username?: string;
  readonly password?: string;
  readonly keepaliveS?: number;
  /** PEM contents for TLS (mqtts://, wss://). */
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  /** Default 500. */
  readonly reconnectMinMs?: number;
  /** Default 30000. */
  readonly reconnectMaxMs?: number;
  /** Default 5000. */
  readonly connectTimeoutMs?: number;
  /** Jitter source for the backoff; default Math.random. */
  readonly random?: () => number;
  /** Encoding of the record streams, announced in the status messages. Default json. */
  readonly encoding?: PayloadEncoding;
}

export interface PublishOptions {
  readonly qos: 0 | 1 | 2;
  readonly retain?: boolean;
  /** MQTT 5 message expiry interval, s: the broker discards the message once it is this old. */
  readonly expiryS?: number;
  /** MQTT 5 content type, e.g. application/json. */
  readonly contentType?: string;
  /** MQTT 5 payload format indicator: true for UTF-8 text, false for bytes. Absent: not sent. */
  readonly utf8?: boolean;
}

export interface LinkHandlers {
  /** Connected and the birth message is on its way. */
  up?(): void;
  /** Lost the connection (or a try failed while it was up). */
  down?(reason: string): void;
  message?(topic: string, payload: Buffer): void;
  /**
   * A connection attempt was refused for a cause an operator must fix: bad
   * credentials, an untrusted broker certificate, a missing or rejected client
   * certificate (`telemetry.auth_failed`, `telemetry.tls_untrusted`,
   * `telemetry.tls_refused`). Called once per distinct cause until a
   * connection succeeds; the link keeps retrying with backoff.
   */
  refused?(error: TelemetryError): void;
}

/**
 * The MQTT 5 connection of one robot (mqtt.js): a retained birth message on
 * connect, a retained last will for a death nobody announces, a retained
 * `shutdown` status on a clean stop, reconnection with exponential backoff
 * on the injected clock, and re-subscription after every reconnect (the
 * session is clean: the disk queue, not the broker, holds what is unsent).
 *
 * @example
 * const link = new MqttLink({ url: 'mqtt://127.0.0.1:1883', clientId: 'kestrel-drone-1', robotId: 'drone-1',
 *   topics: robotTopics('kestrel', 'drone-1'), clock, logger });
 * link.on({ up: () => logger.info('link up') });
 * link.start();
 * await link.publish('kestrel/drone-1/events', payload, { qos: 1 }); // resolves on PUBACK
 */
export class MqttLink {
  private client: MqttClient | undefined;
  private readonly backoff: Backoff;
  private readonly handlers: LinkHandlers[] = [];
  private readonly filters = new Map<string, 0 | 1 | 2>();
  private retry: TimerHandle | undefined;
  private stopping = false;
  private up = false;
  private refusal: TelemetryError | undefined;

  constructor(private readonly options: LinkOptions) {
    this.backoff = new Backoff({
      minMs: options.reconnectMinMs ?? 500,
      maxMs: options.reconnectMaxMs ?? 30_000,
      ...(options.random === undefined ? {} : { random: options.random }),
    });
  }

  get isUp(): boolean {
    return this.up;
  }

  /** Why the last connection attempt was refused, until one succeeds (see `LinkHandlers.refused`). */
  get lastRefusal(): TelemetryError | undefined {
    return this.refusal;
  }

  on(handlers: LinkHandlers): void {
    this.handlers.push(handlers);
  }

  /** Subscribes now if up, and again after every reconnect. */
  subscribe(filter: string, qos: 0 | 1 | 2): void {
    this.filters.set(filter, qos);
    if (this.up) this.client?.subscribe(filter, { qos }, (error) => this.onSubscribeError(filter, error));
  }

  start(): void {
    if (this.client !== undefined) return;
    const o = this.options;
    const will: Status = {
      v: SCHEMA_VERSION,
      robot: o.robotId,
      online: false,
      reason: 'lost',
      stampMs: o.clock.nowMs(),
      encoding: o.encoding ?? 'json',
    };
    const options: IClientOptions = {
      protocolVersion: 5,
      clientId: o.clientId,
      clean: true,
      keepalive: o.keepaliveS ?? 15,
      connectTimeout: o.connectTimeoutMs ?? 5_000,
      // Reconnects are ours, on the injected clock with backoff; mqtt.js would retry at a fixed period.
      reconnectPeriod: 0,
      resubscribe: false,
      // Nothing is queued inside mqtt.js while offline: the disk queue is the only buffer.
      queueQoSZero: false,
      will: {
        topic: o.topics.status,
        payload: Buffer.from(JSON.stringify(will)),
        qos: 1,
        retain: true,
        properties: { contentType: PAYLOAD_MARKING.json.contentType, payloadFormatIndicator: true },
      },
      ...(o.username === undefined ? {} : { username: o.username }),
      ...(o.password === undefined ? {} : { password: o.password }),
      ...(o.ca === undefined ? {} : { ca: o.ca }),
      ...(o.cert === undefined ? {} : { cert: o.cert }),
      ...(o.key === undefined ? {} : { key: o.key }),
    };
    const client = mqtt.connect(o.url, options);
    this.client = client;
    client.on('connect', () => this.onConnect(client));
    client.on('close', () => this.onClose());
    client.on('error', (error) => this.onError(error));
    client.on('message', (topic, payload) => {
      for (const h of this.handlers) h.message?.(topic, payload);
    });
  }

  /** Resolves when the broker acknowledges (QoS 1/2) or the packet is written (QoS 0). */
  publish(topic: string, payload: string | Buffer, options: PublishOptions): Promise<void> {
    const client = this.client;
    if (client === undefined || !this.up) {
      return Promise.reject(new TelemetryError('telemetry.link_down', `cannot publish on ${topic}: the link is down`));
    }
    return new Promise((resolve, reject) => {
      client.publish(
        topic,
        payload,
        { qos: options.qos, retain: options.retain ?? false, ...publishProperties(options) },
        (error) => {
          // Typed Error | undefined, but mqtt.js passes null on some success paths: test truthiness.
          if (!error) resolve();
          else
            reject(
              new TelemetryError('telemetry.publish_failed', `publish on ${topic} failed: ${error.message}`, {
                cause: error,
              }),
            );
        },
      );
    });
  }

  /**
   * Announces a clean death (retained `shutdown` status, which replaces the
   * will) when up, then closes. Never waits longer than `timeoutMs`.
   */
  async stop(timeoutMs = 2_000): Promise<void> {
    this.stopping = true;
    this.retry?.cancel();
    this.retry = undefined;
    const client = this.client;
    if (client === undefined) return;
    if (this.up) {
      const death: Status = {
        v: SCHEMA_VERSION,
        robot: this.options.robotId,
        online: false,
        reason: 'shutdown',
        stampMs: this.options.clock.nowMs(),
        encoding: this.options.encoding ?? 'json',
      };
      await this.withTimeout(
        this.publish(this.options.topics.status, JSON.stringify(death), { qos: 1, retain: true, ...STATUS_MARKING }),
        timeoutMs,
      ).catch((error: unknown) => this.options.logger.warn({ err: error }, 'could not announce shutdown'));
    }
    // A clean DISCONNECT (not a dropped socket) tells the broker not to send the will.
    await this.withTimeout(client.endAsync(false), timeoutMs).catch(() => client.endAsync(true));
    this.up = false;
  }

  private onConnect(client: MqttClient): void {
    // A connection attempt that completes after stop() began: its stores are already closed.
    if (this.stopping) {
      client.end(true);
      return;
    }
    this.backoff.reset();
    this.up = true;
    this.refusal = undefined;
    this.options.logger.info({ url: this.options.url }, 'telemetry link up');
    const birth: Status = {
      v: SCHEMA_VERSION,
      robot: this.options.robotId,
      online: true,
      reason: 'birth',
      stampMs: this.options.clock.nowMs(),
      encoding: this.options.encoding ?? 'json',
    };
    const birthOptions = { qos: 1, retain: true, ...publishProperties(STATUS_MARKING) } as const;
    client.publish(this.options.topics.status, JSON.stringify(birth), birthOptions, (error) => {
      if (error) this.options.logger.warn({ err: error }, 'birth message failed');
    });
    for (const [filter, qos] of this.filters) {
      client.subscribe(filter, { qos }, (error) => this.onSubscribeError(filter, error));
    }
    for (const h of this.handlers) h.up?.();
  }

  private onClose(): void {
    const wasUp = this.up;
    this.up = false;
    if (wasUp) {
      this.options.logger.warn({ url: this.options.url }, 'telemetry link down');
      for (const h of this.handlers) h.down?.('connection closed');
    }
    if (this.stopping || this.retry !== undefined) return;
    const delayMs = this.backoff.next();
    this.options.logger.debug({ delayMs }, 'telemetry reconnect scheduled');
    this.retry = this.options.clock.setTimeout(() => {
      this.retry = undefined;
      if (!this.stopping) this.client?.reconnect();
    }, delayMs);
  }

  private onError(error: Error): void {
    const o = this.options;
    const refusal = classifyConnectError(error, o.url);
    if (refusal === undefined) {
      o.logger.debug({ err: error }, 'mqtt error');
      return;
    }
    // Every retry fails the same way: say it once per cause, not once per backoff step.
    if (this.refusal?.code === refusal.code && this.refusal.message === refusal.message) {
      o.logger.debug({ code: refusal.code }, 'telemetry link refused again');
      return;
    }
    this.refusal = refusal;
    o.logger.error({ code: refusal.code, url: o.url }, refusal.message);
    for (const h of this.handlers) h.refused?.(refusal);
  }

  private onSubscribeError(filter: string, error: Error | null | undefined): void {
    if (error !== undefined && error !== null) this.options.logger.warn({ err: error, filter }, 'subscribe failed');
  }

  private withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const t = this.options.clock.setTimeout(
        () => reject(new TelemetryError('telemetry.timeout', `gave up after ${timeoutMs} ms`)),
        timeoutMs,
      );
      promise.then(
        (v) => {
          t.cancel();
          resolve(v);
        },
        (e: unknown) => {
          t.cancel();
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  }
}

/** Status messages are JSON text whatever the record encoding. */
const STATUS_MARKING = { contentType: PAYLOAD_MARKING.json.contentType, utf8: true } as const;

function publishProperties(options: Pick<PublishOptions, 'expiryS' | 'contentType' | 'utf8'>): {
  properties?: { messageExpiryInterval?: number; contentType?: string; payloadFormatIndicator?: boolean };
} {
  if (options.expiryS === undefined && options.contentType === undefined && options.utf8 === undefined) return {};
  return {
    properties: {
      ...(options.expiryS === undefined ? {} : { messageExpiryInterval: options.expiryS }),
      ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
      ...(options.utf8 === undefined ? {} : { payloadFormatIndicator: options.utf8 }),
    },
  };
}
