import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { WallClock, type Clock } from '../runtime/index.js';
import { TelemetryError } from './errors.js';

export interface LocalBrokerOptions {
  /** Loopback port; default: a free one. */
  readonly port?: number;
  /** mosquitto binary; default: /usr/sbin/mosquitto or the first `mosquitto` on PATH. */
  readonly executable?: string;
  /** Keep sessions and queued messages across `restart()` (mosquitto `persistence true`). Default false. */
  readonly persistence?: boolean;
  /** How long to wait for the broker to accept connections, ms. Default 10000. */
  readonly startTimeoutMs?: number;
  readonly clock?: Clock;
}

/** Where mosquitto is installed, or undefined. */
export function findMosquitto(): string | undefined {
  const candidates = [
    '/usr/sbin/mosquitto',
    ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'mosquitto')),
  ];
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // not here; try the next
    }
  }
  return undefined;
}

/** A free TCP port on 127.0.0.1 (the OS picks one; it is released before returning). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A mosquitto on loopback, for the demo ("the mission names no broker, but an
 * operator wants to watch") and for tests and benchmarks. Anonymous, bound to
 * 127.0.0.1 only, its config and data in a temporary folder removed on stop.
 *
 * @example
 * const broker = await LocalBroker.start();
 * // mission telemetry.broker.url = broker.url (mqtt://127.0.0.1:<port>)
 * await broker.stop();
 */
export class LocalBroker {
  private child: ChildProcess | undefined;
  private stderr = '';

  private constructor(
    readonly port: number,
    private readonly executable: string,
    private readonly dir: string,
    private readonly options: LocalBrokerOptions,
  ) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  static async start(options: LocalBrokerOptions = {}): Promise<LocalBroker> {
    const executable = options.executable ?? findMosquitto();
    if (executable === undefined) {
      throw new TelemetryError('telemetry.broker_failed', 'mosquitto is not installed (apt-get install mosquitto)');
    }
    const port = options.port ?? (await freePort());
    const dir = mkdtempSync(join(tmpdir(), 'kestrel-mosquitto-'));
    const lines = [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      `persistence ${options.persistence === true ? 'true' : 'false'}`,
      `persistence_location ${dir}/`,
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      // Enough for a benchmark's window of unacknowledged QoS 1 messages to one subscriber.
      'max_inflight_messages 1000',
      'max_queued_messages 1000000',
    ];
    writeFileSync(join(dir, 'mosquitto.conf'), `${lines.join('\n')}\n`);
    const broker = new LocalBroker(port, executable, dir, options);
    await broker.launch();
    return broker;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Stops gracefully (SIGTERM: a persistent broker saves its sessions). The folder is kept for `restart`. */
  async halt(): Promise<void> {
    await this.signal('SIGTERM');
  }

  /** Starts again on the same port after `halt`. */
  async restart(): Promise<void> {
    if (this.running) return;
    await this.launch();
  }

  /** Stops and removes the temporary folder. */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (child === undefined || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(sig);
    await exited;
    this.child = undefined;
  }

  private async launch(): Promise<void> {
    const clock = this.options.clock ?? new WallClock();
    this.stderr = '';
    const child = spawn(this.executable, ['-c', join(this.dir, 'mosquitto.conf')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr.on('data', (chunk: Buffer) => {
      // Keep the tail only: it is for the error message when the broker will not start.
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4000);
    });
    this.child = child;
    const deadline = clock.monoMs() + (this.options.startTimeoutMs ?? 10_000);
    while (clock.monoMs() < deadline) {
      if (!this.running) break;
      if (await accepts(this.port)) return;
      await clock.sleep(20);
    }
    child.kill('SIGKILL');
    this.child = undefined;
    throw new TelemetryError(
      'telemetry.broker_failed',
      `mosquitto did not start on port ${this.port}: ${this.stderr.trim() || 'no output'}`,
    );
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
