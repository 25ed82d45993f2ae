import { describe, expect, it } from 'vitest';
import { parseMission } from '../../missions/index.js';
import {
  AssemblyError,
  createRuntime,
  defineTopic,
  eventsTopic,
  reliable,
  silentLogger,
  SimClock,
  type Component,
  type ComponentContext,
  type KestrelPlugin,
} from '../../runtime/index.js';

const missionText = `
apiVersion: kestrel/v1
mission: { id: assembly-test, version: 1.0.0 }
platform: { kind: ground, id: r1, maxSpeedMps: 2 }
simulation: { scenario: test-world }
sensors:
  - { id: odom, type: odometry, source: { kind: sim }, rateHz: 10 }
guardrails: {}
behavior: { kind: hold }
`;

const tick = defineTopic<number>('test/tick', 'test/Tick');

/** A component that records its lifecycle calls into a shared journal. */
function recording(name: string, journal: string[], extra: Partial<Component> = {}): Component {
  return {
    name,
    configure: () => void journal.push(`configure ${name}`),
    start: () => void journal.push(`start ${name}`),
    stop: () => void journal.push(`stop ${name}`),
    ...extra,
  };
}

function pluginFor(journal: string[]): KestrelPlugin {
  return {
    name: 'test',
    simulation: () => recording('world', journal),
    sources: { sim: (s) => recording(`source-${s.id}`, journal, { dependsOn: ['world'] }) },
    behaviors: { hold: () => recording('behavior', journal) },
    guard: () => recording('guard', journal),
    actuators: { sim: () => recording('actuator', journal, { dependsOn: ['world'] }) },
  };
}

describe('createRuntime', () => {
  it('assembles one component per mission part, starts in order and stops in reverse', async () => {
    const journal: string[] = [];
    const observer = recording('recorder', journal);
    const rt = createRuntime(parseMission(missionText), {
      plugins: [pluginFor(journal)],
      logger: silentLogger(),
      observers: [observer],
    });
    expect(rt.clock).toBeInstanceOf(SimClock);
    expect(rt.components).toEqual([
      'latency-tracer',
      'recorder',
      'world',
      'source-odom',
      'behavior',
      'guard',
      'actuator',
    ]);
    await rt.start();
    expect(rt.health().state).toBe('ok');
    await rt.stop('test over');
    expect(journal.filter((l) => l.startsWith('start'))).toEqual([
      'start recorder',
      'start world',
      'start source-odom',
      'start behavior',
      'start guard',
      'start actuator',
    ]);
    expect(journal.filter((l) => l.startsWith('stop'))).toEqual([
      'stop actuator',
      'stop guard',
      'stop behavior',
      'stop source-odom',
      'stop world',
      'stop recorder',
    ]);
    await expect(rt.stopped).resolves.toBe('test over');
    expect(rt.health().components.every((c) => c.state === 'stopped')).toBe(true);
  });

  it('delivers what was published during shutdown to observers before the bus closes', async () => {
    const seen: string[] = [];
    const observer: Component = {
      name: 'observer',
      start: (ctx) => void ctx.bus.subscribe(eventsTopic, (m) => void seen.push(m.data.kind), { policy: reliable() }),
      stop: () => undefined,
    };
    let ctxOfGuard: ComponentContext | undefined;
    const plugin: KestrelPlugin = {
      ...pluginFor([]),
      guard: () => ({
        name: 'guard',
        start: (ctx) => void (ctxOfGuard = ctx),
        stop: () => void ctxOfGuard?.bus.publish(eventsTopic, { kind: 'guard.bye', severity: 'info', message: 'bye' }),
      }),
    };
    const rt = createRuntime(parseMission(missionText), {
      plugins: [plugin],
      logger: silentLogger(),
      observers: [observer],
    });
    await rt.start();
    await rt.stop();
    expect(seen).toEqual(['runtime.started', 'runtime.stopping', 'guard.bye']);
    expect(rt.bus.isClosed).toBe(true);
    expect(() => rt.bus.publish(tick, 1)).toThrow(expect.objectContaining({ code: 'bus.closed' }));
  });

  it('a later plugin replaces an earlier one for the same kind', () => {
    const journal: string[] = [];
    const override: KestrelPlugin = { name: 'integrator', behaviors: { hold: () => recording('my-hold', journal) } };
    const rt = createRuntime(parseMission(missionText), {
      plugins: [pluginFor(journal), override],
      logger: silentLogger(),
    });
    expect(rt.components).toContain('my-hold');
    expect(rt.components).not.toContain('behavior');
  });

  it('EXPECTED FAILURE - a mission part no plugin provides names its path', () => {
    const { sources: _sources, ...withoutSources } = pluginFor([]);
    expect(() =>
      createRuntime(parseMission(missionText), { plugins: [withoutSources], logger: silentLogger() }),
    ).toThrow(
      expect.objectContaining({
        code: 'runtime.no_plugin',
        message: expect.stringContaining('sensors[0].source.kind: no plugin provides sensor source "sim"'),
      }),
    );
    expect(() => createRuntime(parseMission(missionText), { plugins: [], logger: silentLogger() })).toThrow(
      AssemblyError,
    );
  });

  it('EXPECTED FAILURE - a component that fails to start stops the started ones and reports why', async () => {
    const journal: string[] = [];
    const plugin: KestrelPlugin = {
      ...pluginFor(journal),
      guard: () =>
        recording('guard', journal, {
          start: () => {
            throw new Error('fence file unreadable');
          },
        }),
    };
    const rt = createRuntime(parseMission(missionText), { plugins: [plugin], logger: silentLogger() });
    await expect(rt.start()).rejects.toMatchObject({ code: 'runtime.start_failed' });
    expect(journal.filter((l) => l.startsWith('stop'))).toEqual(['stop behavior', 'stop source-odom', 'stop world']);
    const guard = rt.health().components.find((c) => c.component === 'guard');
    expect(guard?.reason).toBe('fence file unreadable');
  });
});
