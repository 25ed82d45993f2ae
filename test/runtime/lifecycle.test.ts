import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  KestrelError,
  Lifecycle,
  LifecycleError,
  MessageBus,
  Services,
  SimClock,
  createLogger,
  orderComponents,
  silentLogger,
  worstHealth,
} from '../../runtime/index.js';
import type { Component, ComponentContext, ComponentHealth, LifecycleOptions } from '../../runtime/index.js';

/** Everything a lifecycle test observes, in order. */
interface Harness {
  readonly trace: string[];
  readonly health: ComponentHealth[];
  readonly logLines: Record<string, unknown>[];
  readonly clock: SimClock;
  readonly contexts: Map<string, ComponentContext>;
  lifecycle(components: readonly Component[], options?: Partial<LifecycleOptions>): Lifecycle;
}

function harness(): Harness {
  const trace: string[] = [];
  const health: ComponentHealth[] = [];
  const logLines: Record<string, unknown>[] = [];
  const clock = new SimClock();
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line !== '') logLines.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  return {
    trace,
    health,
    logLines,
    clock,
    contexts: new Map(),
    lifecycle(components, options = {}) {
      return new Lifecycle(components, {
        bus: new MessageBus({ clock }),
        clock,
        logger: createLogger({ level: 'debug', format: 'json', destination }),
        services: new Services(),
        onHealthChange: (h) => health.push(h),
        ...options,
      });
    },
  };
}

/** A component that records its calls; `behaviour` overrides any of them. */
function component(h: Harness, name: string, behaviour: Partial<Component> = {}): Component {
  return {
    name,
    configure(ctx) {
      h.contexts.set(name, ctx);
      h.trace.push(`configure ${name}`);
    },
    start() {
      h.trace.push(`start ${name}`);
    },
    stop(reason) {
      h.trace.push(`stop ${name} (${reason})`);
    },
    ...behaviour,
  };
}

/** A promise the test resolves by hand. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

async function rejectionOf(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

function names(components: readonly Component[]): string[] {
  return components.map((c) => c.name);
}

describe('orderComponents', () => {
  const c = (name: string, dependsOn?: string[]): Component => ({
    name,
    ...(dependsOn === undefined ? {} : { dependsOn }),
    start() {},
    stop() {},
  });

  it('puts each component after what it depends on', () => {
    const ordered = orderComponents([
      c('telemetry'),
      c('guard', ['fusion']),
      c('fusion', ['imu', 'gnss']),
      c('gnss'),
      c('imu'),
    ]);
    // Dependencies come in the order they are listed in dependsOn (imu before gnss), not registration order.
    expect(names(ordered)).toEqual(['telemetry', 'imu', 'gnss', 'fusion', 'guard']);
  });

  it('keeps registration order between independent components', () => {
    expect(names(orderComponents([c('b'), c('a'), c('c')]))).toEqual(['b', 'a', 'c']);
  });

  it('accepts a diamond and lists the shared dependency once', () => {
    const ordered = orderComponents([
      c('top', ['left', 'right']),
      c('left', ['base']),
      c('right', ['base']),
      c('base'),
    ]);
    expect(names(ordered)).toEqual(['base', 'left', 'right', 'top']);
  });

  it('BAD CALL - a dependency cycle throws runtime.dependency_cycle naming the cycle', () => {
    let caught: unknown;
    try {
      orderComponents([c('a', ['b']), c('b', ['c']), c('c', ['a'])]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(LifecycleError);
    expect(caught).toMatchObject({ code: 'runtime.dependency_cycle' });
    expect((caught as Error).message).toContain('a -> b -> c -> a');
  });

  it('BAD CALL - a component that depends on itself throws runtime.dependency_cycle', () => {
    expect(() => orderComponents([c('loop', ['loop'])])).toThrow(
      expect.objectContaining({ name: 'LifecycleError', code: 'runtime.dependency_cycle' }),
    );
  });

  it('BAD CALL - a missing dependency throws runtime.missing_dependency naming both', () => {
    let caught: unknown;
    try {
      orderComponents([c('fusion', ['imu'])]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(LifecycleError);
    expect(caught).toMatchObject({ code: 'runtime.missing_dependency' });
    expect((caught as Error).message).toMatch(/"fusion".*"imu"/);
  });

  it('BAD CALL - two components with one name throw runtime.duplicate_component', () => {
    expect(() => orderComponents([c('imu'), c('imu')])).toThrow(
      expect.objectContaining({ name: 'LifecycleError', code: 'runtime.duplicate_component' }),
    );
  });

  it('BAD CALL - the Lifecycle constructor rejects a cycle too', () => {
    const h = harness();
    expect(() => h.lifecycle([c('a', ['b']), c('b', ['a'])])).toThrow(
      expect.objectContaining({ code: 'runtime.dependency_cycle' }),
    );
  });
});

describe('Lifecycle start and stop', () => {
  it('configures all, starts in dependency order and stops in reverse', async () => {
    const h = harness();
    const lifecycle = h.lifecycle([
      component(h, 'guard', { dependsOn: ['fusion'] }),
      component(h, 'fusion', { dependsOn: ['imu'] }),
      component(h, 'imu'),
    ]);
    expect(lifecycle.names).toEqual(['imu', 'fusion', 'guard']);
    await lifecycle.start();
    await lifecycle.stop('SIGINT');
    expect(h.trace).toEqual([
      'configure imu',
      'configure fusion',
      'configure guard',
      'start imu',
      'start fusion',
      'start guard',
      'stop guard (SIGINT)',
      'stop fusion (SIGINT)',
      'stop imu (SIGINT)',
    ]);
  });

  it('waits for async start and stop before moving to the next component', async () => {
    const h = harness();
    const slow = (name: string): Component =>
      component(h, name, {
        async start() {
          await settle();
          h.trace.push(`started ${name}`);
        },
        async stop() {
          await settle();
          h.trace.push(`stopped ${name}`);
        },
      });
    const lifecycle = h.lifecycle([slow('a'), slow('b')]);
    await lifecycle.start();
    await lifecycle.stop('done');
    expect(h.trace).toEqual(['configure a', 'configure b', 'started a', 'started b', 'stopped b', 'stopped a']);
  });

  it('gives each component its context: bus, clock, services, a child logger and an abort signal', async () => {
    const h = harness();
    const lifecycle = h.lifecycle([component(h, 'imu')]);
    await lifecycle.configure();
    const ctx = h.contexts.get('imu')!;
    expect(ctx.clock).toBe(h.clock);
    expect(ctx.bus).toBeInstanceOf(MessageBus);
    expect(ctx.services).toBeInstanceOf(Services);
    ctx.logger.info('hello');
    expect(h.logLines.at(-1)).toMatchObject({ component: 'imu', msg: 'hello' });
    expect(ctx.signal.aborted).toBe(false);

    await lifecycle.start();
    await lifecycle.stop('SIGTERM');
    expect(ctx.signal.aborted).toBe(true);
    expect(ctx.signal.reason).toBe('SIGTERM');
  });

  it('aborts every signal before the first stop runs', async () => {
    const h = harness();
    const seen: boolean[] = [];
    const lifecycle = h.lifecycle([
      component(h, 'first'),
      component(h, 'last', { stop: () => void seen.push(h.contexts.get('first')!.signal.aborted) }),
    ]);
    await lifecycle.start();
    await lifecycle.stop('SIGINT');
    expect(seen).toEqual([true]);
  });

  it('stop is idempotent, and stopping a never-started lifecycle stops nothing', async () => {
    const h = harness();
    const lifecycle = h.lifecycle([component(h, 'a')]);
    await lifecycle.stop('early');
    await lifecycle.stop('again');
    expect(h.trace).toEqual([]);
  });

  it('BAD CALL - starting twice throws runtime.bad_state', async () => {
    const h = harness();
    const lifecycle = h.lifecycle([component(h, 'a')]);
    await lifecycle.start();
    const error = await rejectionOf(lifecycle.start());
    expect(error).toBeInstanceOf(LifecycleError);
    expect(error).toMatchObject({ code: 'runtime.bad_state' });
    expect(h.trace.filter((t) => t.startsWith('start'))).toEqual(['start a']);
  });

  it('BAD CALL - configuring after start, or starting after stop, throws runtime.bad_state', async () => {
    const h = harness();
    const lifecycle = h.lifecycle([component(h, 'a')]);
    await lifecycle.start();
    expect(await rejectionOf(lifecycle.configure())).toMatchObject({ code: 'runtime.bad_state' });
    await lifecycle.stop('done');
    expect(await rejectionOf(lifecycle.start())).toMatchObject({ name: 'LifecycleError', code: 'runtime.bad_state' });
  });
});

describe('Lifecycle failures', () => {
  it('EXPECTED FAILURE - a failing start stops the started ones in reverse and throws runtime.start_failed', async () => {
    const h = harness();
    const boom = new Error('camera not found');
    const lifecycle = h.lifecycle([
      component(h, 'a'),
      component(h, 'b'),
      component(h, 'c', {
        start() {
          h.trace.push('start c');
          throw boom;
        },
      }),
      component(h, 'd'),
    ]);
    const error = await rejectionOf(lifecycle.start());

    expect(error).toBeInstanceOf(LifecycleError);
    expect(error).toMatchObject({ code: 'runtime.start_failed', cause: boom });
    expect((error as Error).message).toContain('"c"');
    expect((error as Error).message).toContain('camera not found');
    expect(h.trace.slice(4)).toEqual([
      'start a',
      'start b',
      'start c',
      'stop b (start of "c" failed)',
      'stop a (start of "c" failed)',
    ]);
    expect(lifecycle.health().map((x) => [x.component, x.state, x.code])).toEqual([
      ['a', 'stopped', undefined],
      ['b', 'stopped', undefined],
      ['c', 'failed', 'runtime.start_failed'],
      ['d', 'starting', undefined],
    ]);
  });

  it('EXPECTED FAILURE - a start that rejects with a KestrelError keeps its own code', async () => {
    const h = harness();
    const own = new KestrelError('model.sha256_mismatch', 'checksum differs');
    const lifecycle = h.lifecycle([component(h, 'detector', { start: () => Promise.reject(own) })]);
    expect(await rejectionOf(lifecycle.start())).toBe(own);
    expect(lifecycle.health()[0]).toMatchObject({ state: 'failed', reason: 'checksum differs' });
  });

  it('EXPECTED FAILURE - a failing configure throws runtime.configure_failed and starts nothing', async () => {
    const h = harness();
    const lifecycle = h.lifecycle([
      component(h, 'a'),
      component(h, 'b', {
        configure() {
          throw new Error('bad rate');
        },
      }),
    ]);
    const error = await rejectionOf(lifecycle.start());
    expect(error).toBeInstanceOf(LifecycleError);
    expect(error).toMatchObject({ code: 'runtime.configure_failed' });
    expect((error as Error).message).toContain('bad rate');
    expect(h.trace).toEqual(['configure a']);
  });

  it('EXPECTED FAILURE - a hung stop is cut off by its timeout and the rest still stop', async () => {
    const h = harness();
    const lifecycle = h.lifecycle(
      [
        component(h, 'a'),
        component(h, 'hung', {
          stop: () => {
            h.trace.push('stop hung');
            return new Promise<void>(() => {}); // never settles
          },
        }),
        component(h, 'c'),
      ],
      // Real milliseconds: the cut-off guards against hung components even under a simulated clock.
      { stopTimeoutMs: 5 },
    );
    await lifecycle.start();
    await lifecycle.stop('SIGINT');

    expect(h.trace.slice(-3)).toEqual(['stop c (SIGINT)', 'stop hung', 'stop a (SIGINT)']);
    expect(lifecycle.health().map((x) => x.state)).toEqual(['stopped', 'stopped', 'stopped']);
    expect(h.logLines).toContainEqual(
      expect.objectContaining({ component: 'hung', timeoutMs: 5, msg: 'component did not stop in time; moving on' }),
    );
  });

  it('EXPECTED FAILURE - a component stopTimeoutMs overrides the default', async () => {
    const h = harness();
    const lifecycle = h.lifecycle(
      [component(h, 'telemetry', { stopTimeoutMs: 3, stop: () => new Promise<void>(() => {}) })],
      { stopTimeoutMs: 60_000 },
    );
    await lifecycle.start();
    await lifecycle.stop('SIGTERM');
    expect(h.logLines).toContainEqual(expect.objectContaining({ component: 'telemetry', timeoutMs: 3 }));
  });

  it('EXPECTED FAILURE - a stop that throws is logged and the rest still stop', async () => {
    const h = harness();
    const lifecycle = h.lifecycle([
      component(h, 'a'),
      component(h, 'sync-throw', {
        stop() {
          throw new Error('sync stop failure');
        },
      }),
      component(h, 'async-reject', { stop: () => Promise.reject(new Error('async stop failure')) }),
    ]);
    await lifecycle.start();
    await lifecycle.stop('SIGINT');
    expect(h.trace.at(-1)).toBe('stop a (SIGINT)');
    expect(lifecycle.health().map((x) => x.state)).toEqual(['stopped', 'stopped', 'stopped']);
    const errors = h.logLines.filter((l) => l.msg === 'component failed while stopping').map((l) => l.component);
    expect(errors).toEqual(['async-reject', 'sync-throw']);
  });

  it('EXPECTED FAILURE - stop during a slow start stops that component and starts nothing after it', async () => {
    const h = harness();
    const loading = deferred();
    const lifecycle = h.lifecycle([
      component(h, 'camera'),
      component(h, 'detector', {
        async start() {
          h.trace.push('start detector');
          await loading.promise; // a model load in progress
        },
      }),
      component(h, 'actuators'),
    ]);
    const starting = rejectionOf(lifecycle.start());
    await settle();
    await lifecycle.stop('SIGINT'); // Ctrl-C while the model loads
    loading.resolve();
    const error = await starting;

    expect(error).toBeInstanceOf(LifecycleError);
    expect(error).toMatchObject({ code: 'runtime.start_aborted' });
    expect(h.trace.slice(3)).toEqual([
      'start camera',
      'start detector',
      'stop camera (SIGINT)',
      'stop detector (stopped while starting)',
    ]);
    expect(lifecycle.health().map((x) => x.state)).toEqual(['stopped', 'stopped', 'starting']);
  });
});

describe('Lifecycle health', () => {
  it('goes starting -> ok on start and -> stopped on stop, reported through onHealthChange', async () => {
    const h = harness();
    await h.clock.advance(100);
    const lifecycle = h.lifecycle([component(h, 'imu')]);
    expect(lifecycle.health()).toEqual([{ component: 'imu', state: 'starting', sinceMs: h.clock.nowMs() }]);
    await lifecycle.start();
    await h.clock.advance(50);
    await lifecycle.stop('SIGINT');
    const t0 = Date.UTC(2026, 0, 1);
    expect(h.health).toEqual([
      { component: 'imu', state: 'ok', sinceMs: t0 + 100 },
      { component: 'imu', state: 'stopped', reason: 'SIGINT', sinceMs: t0 + 150 },
    ]);
  });

  it('a component reports degraded and failed with reason and code, and recovers', async () => {
    const h = harness();
    const lifecycle = h.lifecycle([component(h, 'gnss'), component(h, 'imu')]);
    await lifecycle.start();
    const gnss = h.contexts.get('gnss')!.health;

    gnss.degraded('2 satellites', 'gnss.weak_fix');
    const degradedAt = h.clock.nowMs();
    await h.clock.advance(2000);
    gnss.failed('no fix for 2.0 s', 'source.stale');
    expect(gnss.current()).toMatchObject({ state: 'failed', reason: 'no fix for 2.0 s', code: 'source.stale' });
    expect(worstHealth(lifecycle.health().map((x) => x.state))).toBe('failed');
    gnss.ok();
    expect(worstHealth(lifecycle.health().map((x) => x.state))).toBe('ok');

    expect(h.health.slice(2)).toEqual([
      {
        component: 'gnss',
        state: 'degraded',
        reason: '2 satellites',
        code: 'gnss.weak_fix',
        sinceMs: degradedAt,
      },
      {
        component: 'gnss',
        state: 'failed',
        reason: 'no fix for 2.0 s',
        code: 'source.stale',
        sinceMs: Date.UTC(2026, 0, 1) + 2000,
      },
      { component: 'gnss', state: 'ok', sinceMs: Date.UTC(2026, 0, 1) + 2000 },
    ]);
  });

  it('reports a change only once; repeating the same state is silent', async () => {
    const h = harness();
    const lifecycle = h.lifecycle([component(h, 'imu')]);
    await lifecycle.start();
    const imu = h.contexts.get('imu')!.health;
    imu.degraded('noisy', 'imu.noise');
    imu.degraded('noisy', 'imu.noise');
    imu.degraded('noisier', 'imu.noise');
    imu.ok();
    imu.ok();
    expect(h.health.map((x) => `${x.state}:${x.reason ?? ''}`)).toEqual([
      'ok:',
      'degraded:noisy',
      'degraded:noisier',
      'ok:',
    ]);
  });

  it('a component that reports degraded while starting stays degraded after start', async () => {
    const h = harness();
    const lifecycle = h.lifecycle([
      component(h, 'camera', { start: (ctx) => ctx.health.degraded('low light', 'camera.low_light') }),
    ]);
    await lifecycle.start();
    expect(lifecycle.health()[0]).toMatchObject({ state: 'degraded', code: 'camera.low_light' });
  });

  it('logs failed at error level and degraded at warn level', async () => {
    const h = harness();
    const lifecycle = h.lifecycle([component(h, 'imu')]);
    await lifecycle.start();
    const imu = h.contexts.get('imu')!.health;
    imu.degraded('noisy', 'imu.noise');
    imu.failed('dead', 'imu.dead');
    expect(h.logLines).toContainEqual(expect.objectContaining({ level: 40, component: 'imu', code: 'imu.noise' }));
    expect(h.logLines).toContainEqual(expect.objectContaining({ level: 50, component: 'imu', code: 'imu.dead' }));
  });

  it('works without onHealthChange and with a silent logger', async () => {
    const clock = new SimClock();
    const lifecycle = new Lifecycle([{ name: 'x', start() {}, stop() {} }], {
      bus: new MessageBus({ clock }),
      clock,
      logger: silentLogger(),
      services: new Services(),
    });
    await lifecycle.start();
    await lifecycle.stop('done');
    expect(lifecycle.health()[0]?.state).toBe('stopped');
  });
});

describe('worstHealth', () => {
  it('ranks failed > degraded > starting > stopped > ok, and is ok when empty', () => {
    expect(worstHealth([])).toBe('ok');
    expect(worstHealth(['ok', 'stopped'])).toBe('stopped');
    expect(worstHealth(['stopped', 'starting', 'ok'])).toBe('starting');
    expect(worstHealth(['ok', 'degraded', 'starting'])).toBe('degraded');
    expect(worstHealth(['degraded', 'failed', 'ok'])).toBe('failed');
  });
});
