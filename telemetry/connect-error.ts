import { TelemetryError } from './errors.js';

/** Node's codes for a broker certificate that the configured CA does not vouch for. */
const UNTRUSTED_BROKER = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** MQTT 5 CONNACK reason codes that mean "who you are was not accepted". */
const AUTH_REASONS: Readonly<Record<number, string>> = {
  134: 'bad user name or password',
  135: 'not authorized',
  140: 'bad authentication method',
};

/**
 * Names the cause of a failed connection attempt when it is one an operator
 * must fix (credentials, certificates), so it reaches the health and the log
 * instead of looking like an unreachable broker. Undefined for everything
 * else (refused TCP connection, timeout, reset): those are an outage, and the
 * link just retries.
 *
 * Codes: `telemetry.auth_failed` (CONNACK 134/135/140), `telemetry.tls_untrusted`
 * (the broker's certificate fails verification against `caFile`),
 * `telemetry.tls_refused` (the broker rejected or required our client certificate).
 */
export function classifyConnectError(error: unknown, url: string): TelemetryError | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'number' && AUTH_REASONS[code] !== undefined) {
    return new TelemetryError(
      'telemetry.auth_failed',
      `broker ${url} refused the login (MQTT reason ${code}, ${AUTH_REASONS[code]}): check telemetry.broker.username and the password in passwordEnv`,
      { cause: error },
    );
  }
  if (typeof code !== 'string') return undefined;
  if (UNTRUSTED_BROKER.has(code)) {
    return new TelemetryError(
      'telemetry.tls_untrusted',
      `the certificate of broker ${url} is not trusted (${code}: ${error.message}): telemetry.broker.caFile must be the CA that signed it, for this host name`,
      { cause: error },
    );
  }
  // OpenSSL alerts from the broker during the handshake, e.g. ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED.
  if (code.includes('ALERT_CERTIFICATE_REQUIRED') || (code.includes('HANDSHAKE_FAILURE') && code.includes('ALERT'))) {
    return new TelemetryError(
      'telemetry.tls_refused',
      `broker ${url} requires a TLS client certificate and got none it accepts (${code}): set telemetry.broker.certFile and keyFile`,
      { cause: error },
    );
  }
  if (
    /ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN|CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED|ACCESS_DENIED)/.test(
      code,
    )
  ) {
    return new TelemetryError(
      'telemetry.tls_refused',
      `broker ${url} refused the client certificate (${code}): it must be signed by a CA the broker trusts, and be valid`,
      { cause: error },
    );
  }
  return undefined;
}
