/**
 * TLS with client certificates and username/password against a real
 * mosquitto (`require_certificate true`, a password_file made with
 * `mosquitto_passwd -U`). The PEM files are test-only keys from
 * tools/fixtures/make-tls-certs.sh. Each refusal is named in the component's
 * health and `linkRefusal`, the records stay in the disk queue, and a
 * correctly configured robot on the same queue then delivers every one.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WallClock, eventsTopic } from '../../runtime/index.js';
import type { Telemetry } from '../../missions/index.js';
import {
  SqliteQueueStore,
  TelemetryComponent,
  findMosquittoPasswd,
  recordSchemas,
  type LocalBroker,
} from '../../telemetry/index.js';
import { componentContext, telemetrySpec } from './context.js';
import { checkStream, subscriber, until } from './helpers.js';
import { MOSQUITTO_MISSING, hasMosquitto, startMosquitto } from './mosquitto.js';

const tlsDir = join(import.meta.dirname, '../fixtures/telemetry/tls');
const pem = (name: string): Buffer => readFileSync(join(tlsDir, name));
const hasPasswd = findMosquittoPasswd() !== undefined;
const PASSWORD_MISSING = 'mosquitto_passwd is not installed: password checks skipped';
const PASSWORD = 'correct horse battery staple';
const ENV = { KESTREL_TEST_BROKER_PASSWORD: PASSWORD, KESTREL_TEST_WRONG_PASSWORD: 'hunter2' };
const root = mkdtempSync(join(tmpdir(), 'kestrel-telemetry-tls-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

type Broker = NonNullable<Telemetry['broker']>;

describe.skipIf(!hasMosquitto)(`telemetry over TLS${hasMosquitto ? '' : ` (${MOSQUITTO_MISSING})`}`, () => {
  let broker: LocalBroker;
  /** What a correctly configured robot names; paths relative to the mission's folder (baseDir). */
  let good: Broker;

  beforeAll(async () => {
    broker = await startMosquitto({
      tls: {
        caFile: join(tlsDir, 'ca.pem'),
        certFile: join(tlsDir, 'server.pem'),
        keyFile: join(tlsDir, 'server.key'),
        requireCertificate: true,
      },
      ...(hasPasswd ? { users: { 'drone-1': PASSWORD } } : {}),
    });
    good = {
      url: broker.url,
      keepaliveS: 15,
      reconnectMinMs: 100,
      reconnectMaxMs: 400,
      caFile: 'ca.pem',
      certFile: 'client.pem',
      keyFile: 'client.key',
      ...(hasPasswd ? { username: 'drone-1', passwordEnv: 'KESTREL_TEST_BROKER_PASSWORD' } : {}),
    };
  });
  afterAll(async () => {
    await broker.stop();
  });

  /** A ground station with its own valid certificate and login. */
  function groundStation(): ReturnType<typeof subscriber> {
    return subscriber(broker.url, 'kestrel/drone-1/#', {
      connect: {
        ca: pem('ca.pem'),
        cert: pem('client.pem'),
        key: pem('client.key'),
        ...(hasPasswd ? { username: 'drone-1', password: PASSWORD } : {}),
      },
    });
  }

  function robot(brokerSpec: Broker, queueDir: string) {
    const clock = new WallClock();
    const context = componentContext(clock);
    const component = new TelemetryComponent({
      spec: telemetrySpec({ broker: brokerSpec, buffer: { dir: queueDir, maxMb: 8 } }),
      robotId: 'drone-1',
      baseDir: tlsDir,
      env: ENV,
      stopTimeoutMs: 3_000,
    });
    component.configure(context.ctx);
    component.start(context.ctx);
    return { component, ...context };
  }

  function publishEvents(bus: ReturnType<typeof componentContext>['bus'], n: number): void {
    for (let i = 0; i < n; i++) bus.publish(eventsTopic, { kind: 'tick', severity: 'info', message: `e${i}` });
  }

  it('connects with the CA, a client certificate and the password, and delivers', async () => {
    const gcs = await groundStation();
    const r = robot(good, join(root, 'good'));
    await until(() => r.component.linkUp, 10_000, 'the TLS link');
    publishEvents(r.bus, 3);
    await until(
      () => gcs.messages.filter((m) => m.topic === 'kestrel/drone-1/events').length >= 3,
      10_000,
      'three events at the ground station',
    );
    checkStream(gcs.messages, 'kestrel/drone-1/events', 3);
    expect(
      recordSchemas.events.parse(gcs.messages.find((m) => m.topic === 'kestrel/drone-1/events')!.payload).data,
    ).toMatchObject({ message: 'e0' });
    expect(r.component.linkRefusal).toBeUndefined();
    await r.component.stop('test');
    await gcs.client.endAsync();
  });

  /**
   * A robot with `bad` settings is refused with `code`; its five events stay
   * queued on disk; then a robot with the good settings on the same queue
   * delivers all five, in order.
   */
  async function refusedThenDelivered(name: string, bad: Broker, code: string, says: RegExp): Promise<void> {
    const queueDir = join(root, name);
    const r = robot(bad, queueDir);
    publishEvents(r.bus, 5);
    await until(() => r.component.linkRefusal !== undefined, 10_000, `the ${name} refusal`);
    const refusal = r.component.linkRefusal!;
    expect(refusal.code).toBe(code);
    expect(refusal.message).toMatch(says);
    expect(r.component.linkUp).toBe(false);
    await until(() => r.ctx.health.current().code === code, 5_000, 'the refusal in the health');
    expect(r.ctx.health.current().state).toBe('degraded');
    expect(r.ctx.health.current().reason).toMatch(says);
    await until(() => r.component.stats()?.records === 5, 5_000, 'five records on disk');
    await r.component.stop('test');

    // Nothing lost: the queue file still holds all five.
    const reopened = new SqliteQueueStore({ dir: queueDir, maxBytes: 8 * 1024 * 1024 });
    expect(reopened.stats().records).toBe(5);
    expect(reopened.peek(0, 10).map((x) => x.seq)).toEqual([0, 1, 2, 3, 4]);
    reopened.close();

    const gcs = await groundStation();
    const fixed = robot(good, queueDir);
    await until(
      () => gcs.messages.filter((m) => m.topic === 'kestrel/drone-1/events').length >= 5,
      10_000,
      `the ${name} backlog at the ground station`,
    );
    checkStream(gcs.messages, 'kestrel/drone-1/events', 5);
    await fixed.component.stop('test');
    expect(fixed.component.stats()?.records).toBe(0);
    await gcs.client.endAsync();
  }

  it('EXPECTED FAILURE - no client certificate: telemetry.tls_refused, records stay queued', async () => {
    const { certFile: _c, keyFile: _k, ...noCert } = good;
    await refusedThenDelivered('no-cert', noCert, 'telemetry.tls_refused', /requires a TLS client certificate/);
  });

  it('EXPECTED FAILURE - a client certificate from a CA the broker does not trust: telemetry.tls_refused', async () => {
    await refusedThenDelivered(
      'rogue-cert',
      { ...good, certFile: 'rogue-client.pem', keyFile: 'rogue-client.key' },
      'telemetry.tls_refused',
      /refused the client certificate/,
    );
  });

  it('EXPECTED FAILURE - a caFile that did not sign the broker: telemetry.tls_untrusted', async () => {
    await refusedThenDelivered(
      'untrusted-ca',
      { ...good, caFile: 'rogue-ca.pem' },
      'telemetry.tls_untrusted',
      /certificate of broker .* is not trusted/,
    );
  });

  it.skipIf(!hasPasswd)(
    `EXPECTED FAILURE - a wrong password: telemetry.auth_failed${hasPasswd ? '' : ` (${PASSWORD_MISSING})`}`,
    async () => {
      await refusedThenDelivered(
        'wrong-password',
        { ...good, passwordEnv: 'KESTREL_TEST_WRONG_PASSWORD' },
        'telemetry.auth_failed',
        /refused the login \(MQTT reason 13[45]/,
      );
    },
  );
});
