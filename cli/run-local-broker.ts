import { InvalidArgumentError } from 'commander';
import { resolve } from 'node:path';
import type { LoadedMission } from '../missions/index.js';
import { LocalBroker, findMosquitto, preferredPort } from '../telemetry/index.js';
import type { CliIo } from './io.js';

/** mosquitto's usual port: what `mosquitto_sub` tries when given none. */
export const DEFAULT_LOCAL_BROKER_PORT = 1883;

/** `--local-broker 1884`; the flag alone gives `true`. */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65_535)
    throw new InvalidArgumentError(
      `expected a port number 1..65535, got "${value}" (put --local-broker after the mission file)`,
    );
  return n;
}

export interface RunBrokerOptions {
  readonly io: CliIo;
  /** Where mosquitto is; undefined means not installed. Default: findMosquitto. */
  readonly findExecutable?: () => string | undefined;
}

/**
 * `kestrel run --local-broker [port]`: starts a loopback-only anonymous
 * mosquitto for an operator to watch the run, on `port` (default 1883) or a
 * free port when that one is taken, and tells the user how to subscribe.
 * Never fails the run: without mosquitto (or when it will not start) it says
 * so in one line and returns undefined, and telemetry keeps buffering to disk.
 */
export async function startRunBroker(
  requested: true | number,
  loaded: LoadedMission,
  options: RunBrokerOptions,
): Promise<LocalBroker | undefined> {
  const { io } = options;
  const telemetry = loaded.mission.telemetry;
  const bufferDir = resolve(loaded.baseDir, telemetry.buffer.dir);
  const executable = (options.findExecutable ?? findMosquitto)();
  if (executable === undefined) {
    io.err(
      `--local-broker: mosquitto is not installed, so telemetry is buffered to disk only (${bufferDir}); install it with: apt-get install mosquitto\n`,
    );
    return undefined;
  }
  const wanted = requested === true ? DEFAULT_LOCAL_BROKER_PORT : requested;
  let broker: LocalBroker;
  try {
    broker = await LocalBroker.start({ executable, port: await preferredPort(wanted) });
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    io.err(`--local-broker: ${why}; telemetry is buffered to disk only (${bufferDir})\n`);
    return undefined;
  }
  const moved = broker.port === wanted ? '' : ` (port ${wanted} is taken)`;
  const replaced =
    telemetry.broker === undefined ? '' : `; it replaces the mission's broker ${telemetry.broker.url} for this run`;
  io.err(
    `local MQTT broker on 127.0.0.1:${broker.port}${moved}${replaced}\n` +
      `  watch: mosquitto_sub -h 127.0.0.1 -p ${broker.port} -t '${telemetry.topicPrefix}/#' -v\n`,
  );
  return broker;
}

/** The mission with its telemetry pointed at `url` (anonymous, plain TCP), everything else as loaded. */
export function withBroker(loaded: LoadedMission, url: string): LoadedMission {
  const mission = loaded.mission;
  return {
    ...loaded,
    mission: {
      ...mission,
      telemetry: {
        ...mission.telemetry,
        broker: { url, keepaliveS: mission.telemetry.broker?.keepaliveS ?? 15 },
      },
    },
  };
}
