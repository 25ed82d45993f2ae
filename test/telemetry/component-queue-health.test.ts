/**
 * Queue-depth health of the telemetry component: depth, bytes and oldest
 * pending age on its health and on `<prefix>/<robot>/health`; degraded above
 * the mission's `queueHealth` thresholds and while the disk bound evicts.
 * On a stepped clock, with the in-memory store (the SQLite store passes the
 * same contract), except the last test, which uses a real mosquitto.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SimClock, WallClock, detectionsTopic, eventsTopic } from '../../runtime/index.js';
import type { Telemetry } from '../../missions/index.js';
import {
  MemoryQueueStore,
  TelemetryComponent,
  queueHealthSchema,
  recordSchemas,
  type QueueStore,
} from '../../telemetry/index.js';
import { componentContext, telemetrySpec } from './context.js';
import { subscriber, until } from './helpers.js';
import { MOSQUITTO_MISSING, hasMosquitto, startMosquitto } from './mosquitto.js';

const root = mkdtempSync(join(tmpdir(), 'kestrel-telemetry-queue-health-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function rig(overrides: Partial<Telemetry>, store: QueueStore) {
  const clock = new SimClock();
  const context = componentContext(clock);
  const c = new TelemetryComponent({ spec: telemetrySpec(overrides), robotId: 'drone-1', baseDir: root, store });
  c.configure(context.ctx);
  c.start(context.ctx);
  return { clock, c, ...context };
}

/** The telemetry component's own queue reports, as stored. */
function queueReports(store: QueueStore) {
  return store
    .peek(0, 100_000)
    .filter((r) => r.stream === 'health')
    .map((r) => recordSchemas.health.shape.data.parse(JSON.parse(r.data)))
    .filter((h) => h.component === 'telemetry' && h.queue !== undefined);
}

/** Delivers everything waiting, as a broker's acknowledgements would. */
function drain(store: QueueStore): void {
  store.ack(store.peek(0, 100_000).map((r) => r.id));
}

describe('TelemetryComponent queue health', () => {
  it('reports depth, bytes and oldest pending age every reportIntervalS (no broker: all of it waits)', async () => {
    const store = new MemoryQueueStore({ maxBytes: 1_000_000 });
    const { clock, c, bus } = rig({ queueHealth: { reportIntervalS: 10 } }, store);
    // One event a second for 25 s of mission time.
    for (let t = 0; t < 25; t++) {
      bus.publish(eventsTopic, { kind: 'tick', severity: 'info', message: `t${t}` });
      await clock.advance(1_000);
    }
    const reports = queueReports(store);
    expect(reports).toHaveLength(2); // at t = 10 s and 20 s
    const at20 = reports[1]!.queue!;
    expect(queueHealthSchema.parse(at20)).toEqual(at20);
    // At t = 20 s: events 0..19 plus the first report wait; the oldest is the event stamped at t = 0.
    expect(at20.records).toBe(21);
    expect(at20.oldestPendingAgeMs).toBe(20_000);
    expect(at20.bytes).toBeGreaterThan(0);
    expect(at20.maxBytes).toBe(1_000_000);
    expect(at20.linkUp).toBe(false);
    expect(at20.evictedSinceLastReport).toBe(0);
    const now = c.queueHealth()!;
    expect(now.records).toBe(store.stats().records);
    expect(now.bytes).toBe(store.stats().bytes);
    expect(now.oldestPendingAgeMs).toBe(25_000);
    await c.stop('test');
  });

  it('degraded with telemetry.queue_backlog over maxRecords or maxPendingAgeS, ok once delivered', async () => {
    const store = new MemoryQueueStore({ maxBytes: 1_000_000 });
    const { clock, c, bus, ctx } = rig(
      { queueHealth: { reportIntervalS: 1, maxRecords: 50, maxPendingAgeS: 30 } },
      store,
    );
    for (let i = 0; i < 40; i++) bus.publish(eventsTopic, { kind: 'tick', severity: 'info', message: `e${i}` });
    await clock.advance(1_000);
    // 40 records, 1 s old: within both limits.
    expect(ctx.health.current().state).not.toBe('degraded');

    for (let i = 0; i < 20; i++) bus.publish(eventsTopic, { kind: 'tick', severity: 'info', message: `f${i}` });
    await clock.advance(1_000);
    expect(ctx.health.current()).toMatchObject({ state: 'degraded', code: 'telemetry.queue_backlog' });
    expect(ctx.health.current().reason).toMatch(/more than 50 records \(6\d records, 0\.0 of 1\.0 MiB, oldest 2 s\)/);

    drain(store);
    await clock.advance(1_000);
    expect(ctx.health.current().state).toBe('ok');

    // One record left waiting for more than 30 s: the age limit.
    bus.publish(eventsTopic, { kind: 'tick', severity: 'info', message: 'old' });
    await clock.advance(29_000);
    expect(ctx.health.current().state).toBe('ok');
    await clock.advance(2_000);
    expect(ctx.health.current()).toMatchObject({ state: 'degraded', code: 'telemetry.queue_backlog' });
    expect(ctx.health.current().reason).toMatch(/oldest older than 30 s/);
    // The figures reach the health stream too.
    expect(queueReports(store).at(-1)).toMatchObject({ state: 'degraded', code: 'telemetry.queue_backlog' });
    drain(store);
    await clock.advance(1_000);
    expect(ctx.health.current().state).toBe('ok');
    await c.stop('test');
  });

  it('degraded with telemetry.queue_evicting as soon as the bound evicts; ok a report interval after it stops', async () => {
    const store = new MemoryQueueStore({ maxBytes: 40_000 });
    const { clock, c, bus, ctx, healths } = rig({ queueHealth: { reportIntervalS: 5, maxPercent: 100 } }, store);
    let i = 0;
    while (store.stats().evicted.record === 0) {
      bus.publish(detectionsTopic, {
        pipeline: 'p',
        camera: 'c',
        model: 'm',
        width: 640,
        height: 480,
        frameStampMs: i++,
        detections: [],
        latencyMs: {},
      });
      await clock.advance(10);
      expect(i).toBeLessThan(10_000);
    }
    // Before any report ran: the commit that evicted degraded the health at once.
    expect(queueReports(store)).toHaveLength(0);
    expect(ctx.health.current()).toMatchObject({ state: 'degraded', code: 'telemetry.queue_evicting' });
    expect(ctx.health.current().reason).toMatch(/at its bound: evicting/);

    // Quiet for a while; the first report still sees the evictions of its interval.
    await clock.advance(5_000);
    const first = queueReports(store).at(-1)!;
    expect(first.code).toBe('telemetry.queue_evicting');
    expect(first.queue!.evictedSinceLastReport).toBeGreaterThan(0);
    await clock.advance(5_000);
    expect(ctx.health.current().state).toBe('ok');
    expect(queueReports(store).at(-1)!.queue!.evictedSinceLastReport).toBe(0);
    expect(healths.filter((h) => h.code === 'telemetry.queue_evicting')).toHaveLength(1);
    await c.stop('test');
  });
});

describe.skipIf(!hasMosquitto)(
  `queue health on the MQTT health topic${hasMosquitto ? '' : ` (${MOSQUITTO_MISSING})`}`,
  () => {
    it('a ground station receives the queue figures on kestrel/<robot>/health', async () => {
      const broker = await startMosquitto();
      try {
        const gcs = await subscriber(broker.url, 'kestrel/drone-qh/health');
        const clock = new WallClock();
        const { ctx } = componentContext(clock);
        const c = new TelemetryComponent({
          spec: telemetrySpec({
            broker: { url: broker.url, keepaliveS: 15, reconnectMinMs: 100, reconnectMaxMs: 400 },
            buffer: { dir: join(root, 'qh'), maxMb: 4 },
            queueHealth: { reportIntervalS: 0.2 },
          }),
          robotId: 'drone-qh',
          baseDir: root,
          stopTimeoutMs: 3_000,
        });
        c.configure(ctx);
        c.start(ctx);
        await until(() => gcs.messages.length >= 2, 10_000, 'two queue reports at the ground station');
        const report = recordSchemas.health.parse(gcs.messages[1]!.payload);
        expect(report.data.component).toBe('telemetry');
        expect(report.data.state).toBe('ok');
        expect(report.data.queue).toMatchObject({ maxBytes: 4 * 1024 * 1024, linkUp: true });
        expect(report.data.queue!.records).toBeGreaterThanOrEqual(0);
        await c.stop('test');
        await gcs.client.endAsync();
      } finally {
        await broker.stop();
      }
    });
  },
);
