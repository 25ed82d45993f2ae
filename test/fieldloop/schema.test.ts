import { describe, expect, it } from 'vitest';
import { MissionError, parseMission } from '../../missions/index.js';
import { CommandChannel, ed25519OperatorKey, signCommand } from '../../telemetry/index.js';
import { generateKeyPairSync } from 'node:crypto';
import { cameraMissionYaml } from './helpers.js';

const base = (extra: string): string => cameraMissionYaml({ id: 's', extra });

describe('mission: modelTrust and capture', () => {
  it('fills defaults', () => {
    const { mission } = parseMission(base('modelTrust: {}\ncapture: { triggers: { operatorFeedback: {} } }'));
    expect(mission.modelTrust).toEqual({ requireSigned: true, trustedSigners: [] });
    expect(mission.capture).toMatchObject({
      preTriggerMs: 1000,
      ring: { seconds: 3, maxMb: 64 },
      store: { path: '.kestrel/captures.sqlite', maxMb: 512 },
      image: { format: 'jpeg', quality: 90 },
      triggers: { operatorFeedback: { priority: 3 } },
    });
  });

  it('EXPECTED FAILURE - every mistake is reported with its path', () => {
    const text = base(`modelTrust:
  trustedSigners:
    - { id: a, publicKey: nope }
    - { id: a, publicKey: ${'A'.repeat(43)}= }
capture:
  pipelines: [rear]
  triggers:
    uncertainty: { minScore: 0.6, maxScore: 0.4 }
    random: { probability: 2 }`);
    const err = (() => {
      try {
        parseMission(text);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(MissionError);
    const paths = (err as MissionError).issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining([
        'modelTrust.trustedSigners.0.publicKey',
        'modelTrust.trustedSigners.1.id',
        'capture.pipelines.0',
        'capture.triggers.uncertainty.maxScore',
        'capture.triggers.random.probability',
      ]),
    );
  });
});

describe('operator feedback command', () => {
  it('a signed feedback command passes the command channel as an OperatorMessage', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const channel = new CommandChannel({
      robotId: 'drone-1',
      operators: new Map([['alice', ed25519OperatorKey('alice', publicKey, ['feedback'])]]),
    });
    const T0 = Date.UTC(2026, 0, 1);
    const cmd = signCommand(
      {
        v: 1,
        robot: 'drone-1',
        operator: 'alice',
        commandId: 'fb-1',
        issuedAtMs: T0,
        ttlMs: 5000,
        command: { kind: 'feedback', mark: 'missed_target', camera: 'cam', frameStampMs: T0 - 500, className: 'fire' },
      },
      { alg: 'ed25519', privateKey },
    );
    const v = channel.handle('feedback', JSON.stringify(cmd), T0 + 10);
    expect(v.accepted && v.message.command).toEqual({
      kind: 'feedback',
      mark: 'missed_target',
      camera: 'cam',
      frameStampMs: T0 - 500,
      className: 'fire',
    });
    const bad = signCommand(
      { ...cmd, commandId: 'fb-2', command: { kind: 'feedback', mark: 'looks_odd' } as never },
      { alg: 'ed25519', privateKey },
    );
    expect(channel.handle('feedback', JSON.stringify(bad), T0 + 10).accepted).toBe(false);
  });
});
