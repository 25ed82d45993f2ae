import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
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
  /** Serve MQTT over TLS (mqtts://) instead of plain TCP. */
  readonly tls?: LocalBrokerTls;
  /**
   * Require a username and password: user name → password. The broker's
   * password_file is made from these with `mosquitto_passwd -U` and anonymous
   * clients are refused.
   */
  readonly users?: Readonly<Record<string, string>>;
}

/** Paths to PEM files for the broker's TLS listener. */
export interface LocalBrokerTls {
  /** CA that signs client certificates (mosquitto `cafile`). */
  readonly caFile: string;
  /** The broker's certificate and key. */
  readonly certFile: string;
  readonly keyFile: string;
  /** Refuse clients without a certificate signed by `caFile` (mosquitto `require_certificate`). Default true. */
  readonly requireCertificate?: boolean;
}

/** Where mosquitto is installed, or undefined. */
export function findMosquitto(): string | undefined {
  return findExecutable('mosquitto', '/usr/sbin/mosquitto');
}

/** Where mosquitto_passwd (of the mosquitto package) is installed, or undefined. */
export function findMosquittoPasswd(): string | undefined {
  return findExecutable('mosquitto_passwd', '/usr/bin/mosquitto_passwd');
}

function findExecutable(name: string, usual: string): string | undefined {
  const candidates = [usual, ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, name))];
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

/** `preferred` if nothing listens on 127.0.0.1:`preferred`, else a free port. */
export function preferredPort(preferred: number): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(freePort()));
    server.listen(preferred, '127.0.0.1', () => server.close(() => resolve(preferred)));
  });
}

/**
 * A mosquitto on loopback, for the demo ("the mission names no broker, but an
 * operator wants to watch") and for tests and benchmarks. Bound to 127.0.0.1
 * only, its config and data in a temporary folder removed on stop. Anonymous
 * and plain TCP unless `tls` or `users` ask for TLS client certificates or
 * passwords.
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
    return `${this.options.tls === undefined ? 'mqtt' : 'mqtts'}://127.0.0.1:${this.port}`;
  }

  static async start(options: LocalBrokerOptions = {}): Promise<LocalBroker> {
    const executable = options.executable ?? findMosquitto();
    if (executable === undefined) {
      throw new TelemetryError('telemetry.broker_failed', 'mosquitto is not installed (apt-get install mosquitto)');
    }
    const port = options.port ?? (await freePort());
    const dir = mkdtempSync(join(tmpdir(), 'kestrel-mosquitto-'));
    try {
      const lines = [
        // Run as whoever started it: as root, mosquitto would otherwise drop to user `mosquitto`, which
        // cannot read this private folder (password file, persistence).
        `user ${userInfo().username}`,
        `listener ${port} 127.0.0.1`,
        ...tlsLines(options.tls),
        ...passwordLines(dir, options.users),
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
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
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

  /**
   * Sends SIGTERM and returns at once, without waiting or cleaning up: for a
   * process `exit` hook, where nothing asynchronous runs any more. Prefer `stop`.
   */
  kill(): void {
    if (this.running) this.child?.kill('SIGTERM');
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

function tlsLines(tls: LocalBrokerTls | undefined): string[] {
  if (tls === undefined) return [];
  return [
    `cafile ${tls.caFile}`,
    `certfile ${tls.certFile}`,
    `keyfile ${tls.keyFile}`,
    `require_certificate ${tls.requireCertificate === false ? 'false' : 'true'}`,
  ];
}

/** Writes `user:password` lines and hashes them in place with `mosquitto_passwd -U`. */
function passwordLines(dir: string, users: Readonly<Record<string, string>> | undefined): string[] {
  if (users === undefined) return ['allow_anonymous true'];
  const tool = findMosquittoPasswd();
  if (tool === undefined) {
    throw new TelemetryError(
      'telemetry.broker_failed',
      'mosquitto_passwd is not installed (apt-get install mosquitto): cannot make a password file',
    );
  }
  const file = join(dir, 'passwd');
  for (const name of Object.keys(users)) {
    // mosquitto_passwd splits each line at the first ':'.
    if (name.includes(':') || name.includes('\n')) throw new RangeError(`bad broker user name "${name}"`);
  }
  writeFileSync(
    file,
    Object.entries(users)
      .map(([u, p]) => `${u}:${p}\n`)
      .join(''),
    { mode: 0o600 },
  );
  const run = spawnSync(tool, ['-U', file], { encoding: 'utf8' });
  if (run.status !== 0) {
    throw new TelemetryError(
      'telemetry.broker_failed',
      `mosquitto_passwd -U failed: ${(run.stderr || run.error?.message || 'no output').trim()}`,
    );
  }
  return ['allow_anonymous false', `password_file ${file}`];
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
