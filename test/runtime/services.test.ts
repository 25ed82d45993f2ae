import { describe, expect, it } from 'vitest';
import { KestrelError, Services, defineService } from '../../runtime/index.js';

interface World {
  trees: number;
}
const world = defineService<World>('sim.world');
const counter = defineService<number>('test.counter');

function thrownBy(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('Services', () => {
  it('hands back what was provided, by key', () => {
    const services = new Services();
    const w: World = { trees: 12 };
    services.provide(world, w);
    services.provide(counter, 0);
    expect(services.get(world)).toBe(w);
    expect(services.get(counter)).toBe(0);
    expect(services.find(world)).toBe(w);
  });

  it('find returns undefined for a service nobody provides', () => {
    expect(new Services().find(world)).toBeUndefined();
  });

  it('keys are matched by name, so two modules that define the same key share it', () => {
    const services = new Services();
    services.provide(world, { trees: 1 });
    expect(services.get(defineService<World>('sim.world')).trees).toBe(1);
  });

  it('keys are frozen', () => {
    expect(Object.isFrozen(world)).toBe(true);
  });

  it('BAD CALL - providing a service twice throws runtime.service_conflict', () => {
    const services = new Services();
    services.provide(world, { trees: 1 });
    const error = thrownBy(() => services.provide(world, { trees: 2 }));
    expect(error).toBeInstanceOf(KestrelError);
    expect(error).toMatchObject({ code: 'runtime.service_conflict' });
    expect((error as Error).message).toContain('sim.world');
    expect(services.get(world).trees).toBe(1);
  });

  it('EXPECTED FAILURE - getting a service nobody provides throws runtime.service_missing', () => {
    const error = thrownBy(() => new Services().get(world));
    expect(error).toBeInstanceOf(KestrelError);
    expect(error).toMatchObject({ code: 'runtime.service_missing' });
    expect((error as Error).message).toContain('sim.world');
  });
});
