import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SimClock,
  WallClock,
  eventsTopic,
  decisionsTopic,
  detectionsTopic,
  linkTopic,
  operatorTopic,
  poseTopic,
  yawToQuaternion,
  type OperatorMessage,
  type PoseEstimate,
} from '../../runtime/index.js';
import {
  MemoryQueueStore,
  TelemetryComponent,
  TelemetryError,
  commandAckSchema,
  recordSchemas,
  signCommand,
  statusSchema,
  telemetryPlugin,
  type CommandAck,
  type LocalBroker,
  type SigningKey,
} from '../../telemetry/index.js';
import { componentContext, telemetrySpec } from './context.js';
import { subscriber, until } from './helpers.js';
import { MOSQUITTO_MISSING, hasMosquitto, startMosquitto } from './mosquitto.js';

const root = mkdtempSync(join(tmpdir(), 'kestrel-telemetry-component-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function pose(x: number): PoseEstimate {
  return {
    frameId: 'map',
    positionM: { x, y: 0, z: 10 },
    orientation: yawToQuaternion(0),
    yawRad: 0,
    poseCovariance: new Array<number>(36).fill(0),
    linearVelocityMps: { x: 1, y: 0, z: 0 },
    yawRateRps: 0,
    source: 'ekf',
  };
}

describe('TelemetryComponent without a broker', () => {
  it('stores every record on disk and thins state to stateRateHz (stepped clock)', async () => {
    const clock = new SimClock();
    const { ctx, bus } = componentContext(clock);
    const store = new MemoryQueueStore({ maxBytes: 1_000_000 });
    const c = new TelemetryComponent({
      spec: telemetrySpec({ stateRateHz: 5 }),
      robotId: 'drone-1',
      baseDir: root,
      store,
    });
    c.configure(ctx);
    c.start(ctx);
    // 2 s of sim time: pose at 50 Hz, an event every 100 ms, one guard decision.
    for (let i = 0; i < 100; i++) {
      bus.publish(poseTopic, pose(i));
      if (i % 5 === 0) bus.publish(eventsTopic, { kind: 'tick', severity: 'info', message: `t${i}` });
      await clock.advance(20);
    }
    bus.publish(decisionsTopic, {
      proposalId: 'p1',
      source: 'behavior/x',
      verdict: 'deny',
      requested: { kind: 'hold' },
      ruleId: 'geofence',
      code: 'geofence.exit_predicted',
      reason: 'would leave',
      decidedAtMs: clock.nowMs(),
    });
    // One turn for the bus to deliver, one for the group commit (setImmediate) to run.
    await clock.advance(1);
    await clock.advance(1);
    const all = store.peek(0, 10_000);
    const count = (s: string): number => all.filter((r) => r.stream === s).length;
    // 2 s at 5 Hz: 10 state samples, not 100 poses.
    expect(count('state')).toBe(10);
    expect(count('events')).toBe(20);
    expect(count('decisions')).toBe(1);
    expect(all.find((r) => r.stream === 'decisions')?.priority).toBe('safety');
    const state = all.filter((r) => r.stream === 'state').at(-1)!;
    const parsed = recordSchemas.state.shape.data.parse(JSON.parse(state.data));
    // The newest pose at sampling time: pose 99, published at t=1980 ms, is delivered before the
    // clock moves on to the t=2000 ms sample (SimClock settles the current instant first).
    expect(parsed.pose?.positionM.x).toBe(99);
    await c.stop('test');
  });

  it('keeps the disk bound with the documented eviction order under a long outage', async () => {
    const clock = new SimClock();
    const { ctx, bus } = componentContext(clock);
    const store = new MemoryQueueStore({ maxBytes: 20_000 });
    const c = new TelemetryComponent({
      spec: telemetrySpec({ stateRateHz: 50 }),
      robotId: 'drone-1',
      baseDir: root,
      store,
    });
    c.configure(ctx);
    c.start(ctx);
    let events = 0;
    for (let i = 0; i < 1_000; i++) {
      bus.publish(poseTopic, pose(i));
      bus.publish(detectionsTopic, {
        pipeline: 'p',
        camera: 'c',
        model: 'm',
        width: 1,
        height: 1,
        frameStampMs: i,
        detections: [],
        latencyMs: {},
      });
      if (i % 100 === 0) {
        bus.publish(eventsTopic, { kind: 'tick', severity: 'critical', message: `t${i}` });
        events++;
      }
      await clock.advance(20);
      expect(store.stats().bytes).toBeLessThanOrEqual(20_000);
    }
    const st = store.stats();
    expect(st.byPriority.safety.records).toBe(events);
    expect(st.evicted.safety).toBe(0);
    expect(st.evicted.state).toBeGreaterThan(0);
    expect(st.evicted.record).toBeGreaterThan(0);
    // State went first: what is left of state is the newest.
    const left = store.peek(0, 10_000);
    const stateSeqs = left.filter((r) => r.stream === 'state').map((r) => r.seq);
    if (stateSeqs.length > 0) expect(stateSeqs.at(-1)).toBe(store.nextSeq('state') - 1);
    await c.stop('test');
  });

  it('the plugin builds the component from the mission telemetry block', () => {
    const clock = new SimClock();
    const made = telemetryPlugin.telemetry?.(telemetrySpec(), {
      mission: { platform: { id: 'drone-7' } } as never,
      baseDir: root,
      clock,
      logger: componentContext(clock).ctx.logger,
    });
    expect(made).toBeInstanceOf(TelemetryComponent);
  });

  it('EXPECTED FAILURE - a missing HMAC secret fails configure with telemetry.config', () => {
    const clock = new SimClock();
    const { ctx } = componentContext(clock);
    const c = new TelemetryComponent({
      spec: telemetrySpec({
        commands: { operators: [{ id: 'bob', hmacKeyEnv: 'KESTREL_TEST_NO_SUCH_VAR', allow: ['confirm'] }] },
      }),
      robotId: 'drone-1',
      baseDir: root,
      store: new MemoryQueueStore({ maxBytes: 1_000 }),
      env: {},
    });
    expect(() => c.configure(ctx)).toThrow(TelemetryError);
  });
});

describe.skipIf(!hasMosquitto)(
  `TelemetryComponent with a broker${hasMosquitto ? '' : ` (${MOSQUITTO_MISSING})`}`,
  () => {
    let broker: LocalBroker;
    beforeAll(async () => {
      broker = await startMosquitto();
    });
    afterAll(async () => {
      await broker.stop();
    });

    it('delivers records, runs the command channel end to end, and says goodbye', async () => {
      const alice = generateKeyPairSync('ed25519');
      const aliceKey: SigningKey = { alg: 'ed25519', privateKey: alice.privateKey };
      const bobSecret = randomBytes(32);
      const bobKey: SigningKey = { alg: 'hmac-sha256', secret: bobSecret };
      const clock = new WallClock();
      const { ctx, bus } = componentContext(clock);
      const spec = telemetrySpec({
        broker: { url: broker.url, keepaliveS: 15, reconnectMinMs: 100, reconnectMaxMs: 500 },
        buffer: { dir: join(root, 'with-broker'), maxMb: 8 },
        commands: {
          operators: [
            {
              id: 'alice',
              ed25519PublicKey: alice.publicKey
                .export({ format: 'der', type: 'spki' })
                .subarray(-32)
                .toString('base64'),
              allow: ['estop', 'estop_reset', 'confirm', 'action'],
            },
            { id: 'bob', hmacKeyEnv: 'BOB_KEY', allow: ['confirm'] },
          ],
        },
      });
      const c = new TelemetryComponent({
        spec,
        robotId: 'drone-1',
        baseDir: root,
        env: { BOB_KEY: bobSecret.toString('base64') },
        stopTimeoutMs: 5_000,
      });
      const onBus: OperatorMessage[] = [];
      const links: { up: boolean; peer: string }[] = [];
      bus.subscribe(operatorTopic, (m) => void onBus.push(m.data), { policy: { kind: 'reliable' } });
      bus.subscribe(linkTopic, (m) => void links.push(m.data), { policy: { kind: 'reliable' } });
      const gcs = await subscriber(broker.url, 'kestrel/drone-1/#');

      c.configure(ctx);
      c.start(ctx);
      await until(() => c.linkUp, 10_000, 'the link');
      await until(() => links.some((l) => l.up), 5_000, 'linkTopic up on the bus');

      bus.publish(eventsTopic, { kind: 'mission.phase', severity: 'info', message: 'searching' });
      await until(
        () => gcs.messages.some((m) => m.topic === 'kestrel/drone-1/events'),
        5_000,
        'the event at the ground station',
      );
      const ev = recordSchemas.events.parse(gcs.messages.find((m) => m.topic === 'kestrel/drone-1/events')!.payload);
      expect(ev).toMatchObject({ v: 1, robot: 'drone-1', stream: 'events', seq: 0, data: { message: 'searching' } });
      expect(
        gcs.messages.map((m) => m.topic === 'kestrel/drone-1/status' && statusSchema.parse(m.payload).reason),
      ).toContain('birth');

      const acks = (): CommandAck[] =>
        gcs.messages.filter((m) => m.topic === 'kestrel/drone-1/cmd/ack').map((m) => commandAckSchema.parse(m.payload));
      let id = 0;
      const send = async (kind: string, payload: string): Promise<CommandAck> => {
        const before = acks().length;
        await gcs.client.publishAsync(`kestrel/drone-1/cmd/${kind}`, payload, { qos: 1 });
        await until(() => acks().length > before, 5_000, `the ack of a ${kind} command`);
        return acks()[before]!;
      };
      const body = (
        operator: string,
        command: Parameters<typeof signCommand>[0]['command'],
        over: { issuedAtMs?: number; ttlMs?: number } = {},
      ) => ({
        v: 1 as const,
        robot: 'drone-1',
        operator,
        commandId: `gcs-${++id}`,
        issuedAtMs: over.issuedAtMs ?? clock.nowMs(),
        ttlMs: over.ttlMs ?? 5_000,
        command,
      });

      // Valid: on the bus as an OperatorMessage.
      const estop = JSON.stringify(
        signCommand(body('alice', { kind: 'estop', reason: 'person in the field' }), aliceKey),
      );
      expect(await send('estop', estop)).toMatchObject({ accepted: true, code: 'command.accepted', operator: 'alice' });
      await until(() => onBus.length === 1, 5_000, 'the e-stop on the bus');
      expect(onBus[0]).toMatchObject({ operator: 'alice', command: { kind: 'estop', reason: 'person in the field' } });
      expect(links.some((l) => l.peer === 'operator/alice')).toBe(true);

      // Replayed, forged, expired, malformed, unauthorised: rejected with reasons, nothing on the bus.
      expect((await send('estop', estop)).code).toBe('command.replayed');
      const mallory = generateKeyPairSync('ed25519');
      const forged = JSON.stringify(
        signCommand(body('alice', { kind: 'estop_reset' }), { alg: 'ed25519', privateKey: mallory.privateKey }),
      );
      expect((await send('estop_reset', forged)).code).toBe('command.bad_signature');
      const expired = JSON.stringify(
        signCommand(body('alice', { kind: 'estop_reset' }, { issuedAtMs: clock.nowMs() - 10_000 }), aliceKey),
      );
      expect((await send('estop_reset', expired)).code).toBe('command.expired');
      const malformed = await send('estop_reset', '{"v":1,"robot":');
      expect(malformed).toMatchObject({ accepted: false, code: 'command.malformed' });
      expect(malformed.reason.length).toBeGreaterThan(0);
      const unauthorised = JSON.stringify(signCommand(body('bob', { kind: 'estop_reset' }), bobKey));
      expect((await send('estop_reset', unauthorised)).code).toBe('command.unauthorized');
      expect(onBus).toHaveLength(1);

      // bob's HMAC confirm is allowed.
      const confirm = JSON.stringify(
        signCommand(body('bob', { kind: 'confirm', proposalId: 'behavior-000042' }), bobKey),
      );
      expect((await send('confirm', confirm)).accepted).toBe(true);
      await until(() => onBus.length === 2, 5_000, 'the confirmation on the bus');

      await c.stop('test');
      await until(
        () =>
          gcs.messages.some(
            (m) => m.topic === 'kestrel/drone-1/status' && statusSchema.parse(m.payload).reason === 'shutdown',
          ),
        5_000,
        'the shutdown status',
      );
      await gcs.client.endAsync();
    });
  },
);
