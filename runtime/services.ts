import { KestrelError } from './errors.js';

/** A typed key for a shared service: `defineService<SimWorld>('sim.world')`. */
export interface ServiceKey<T> {
  readonly name: string;
  readonly __service?: T;
}

export function defineService<T>(name: string): ServiceKey<T> {
  return Object.freeze({ name });
}

/**
 * Where components hand each other long-lived objects (the simulated world,
 * the world model) without importing each other. Registered during configure,
 * looked up during start.
 */
export class Services {
  private readonly items = new Map<string, unknown>();

  provide<T>(key: ServiceKey<T>, value: T): void {
    if (this.items.has(key.name)) {
      throw new KestrelError('runtime.service_conflict', `service "${key.name}" is already provided`);
    }
    this.items.set(key.name, value);
  }

  get<T>(key: ServiceKey<T>): T {
    if (!this.items.has(key.name)) {
      throw new KestrelError('runtime.service_missing', `no component provides the service "${key.name}"`);
    }
    return this.items.get(key.name) as T;
  }

  find<T>(key: ServiceKey<T>): T | undefined {
    return this.items.get(key.name) as T | undefined;
  }
}
