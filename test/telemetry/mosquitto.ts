/**
 * A real mosquitto for the telemetry tests: a free loopback port, a temp
 * config (`listener <port> 127.0.0.1`, `allow_anonymous true`), spawned from
 * /usr/sbin/mosquitto (or PATH), waited on until it accepts, stopped in
 * afterAll. When mosquitto is not installed the suites that need it are
 * skipped with `MOSQUITTO_MISSING` as the reason (CI installs it via apt).
 */
import { LocalBroker, findMosquitto, type LocalBrokerOptions } from '../../telemetry/index.js';

export const mosquittoPath = findMosquitto();
export const hasMosquitto = mosquittoPath !== undefined;
export const MOSQUITTO_MISSING = 'mosquitto is not installed (apt-get install mosquitto): broker tests skipped';

if (!hasMosquitto) process.stderr.write(`${MOSQUITTO_MISSING}\n`);

export function startMosquitto(options: LocalBrokerOptions = {}): Promise<LocalBroker> {
  return LocalBroker.start({ ...options, ...(mosquittoPath === undefined ? {} : { executable: mosquittoPath }) });
}
