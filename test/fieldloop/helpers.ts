/** Real files for the field data loop tests: fixture ONNX models, manifests, keys generated at test time, YOLO splits. */
import { generateKeyPairSync } from 'node:crypto';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { sha256File } from '../../perception/index.js';
import { signingKeyFromPem, type ModelSigningKey } from '../../fieldloop/index.js';
import type { Component, KestrelPlugin } from '../../runtime/index.js';
import { modelPath } from '../perception/fixtures.js';

export { tempDir } from './tmp.js';

export interface TestKey extends ModelSigningKey {
  readonly pemPath: string;
}

/** A fresh Ed25519 key written as PKCS#8 PEM. */
export async function newKey(dir: string, name = 'signer', keyId?: string): Promise<TestKey> {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' });
  const pemPath = join(dir, `${name}.pem`);
  await writeFile(pemPath, pem);
  return { ...signingKeyFromPem(pem, pemPath, keyId), pemPath };
}

/**
 * Copies a fixture model (test/fixtures/models/<fixture>.onnx) into `dir` with
 * a manifest beside it that pins its sha256. Returns both paths.
 */
export async function fixtureModel(
  dir: string,
  fixture = 'yolov8',
  name = 'model',
): Promise<{ manifestPath: string; modelPath: string; sha256: string }> {
  await mkdir(dir, { recursive: true });
  const model = join(dir, `${name}.onnx`);
  await copyFile(modelPath(fixture), model);
  const sha256 = await sha256File(model);
  const manifestPath = join(dir, `${name}.yaml`);
  await writeFile(
    manifestPath,
    `# ${fixture} fixture\npath: ${name}.onnx\nsha256: ${sha256}\nexecutionProviders: [cpu]\nwarmupRuns: 0\n`,
  );
  return { manifestPath, modelPath: model, sha256 };
}

/**
 * A YOLO split of flat 32x32 PNGs (the fixture models' input size, so model
 * pixels are image pixels). `labels[i]` is image i's boxes as [class, x1, y1, x2, y2] in pixels.
 */
export async function yoloSplit(
  root: string,
  split: string,
  labels: readonly (readonly (readonly [number, number, number, number, number])[])[],
  names: readonly string[] = ['person', 'car'],
): Promise<void> {
  await mkdir(join(root, 'images', split), { recursive: true });
  await mkdir(join(root, 'labels', split), { recursive: true });
  await writeFile(join(root, 'data.yaml'), `names:\n${names.map((n, i) => `  ${i}: ${n}\n`).join('')}`);
  const png = await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: 90, g: 90, b: 90 } } })
    .png()
    .toBuffer();
  for (const [i, boxes] of labels.entries()) {
    const stem = `img${String(i).padStart(3, '0')}`;
    await writeFile(join(root, 'images', split, `${stem}.png`), png);
    const text = boxes
      .map(
        ([c, x1, y1, x2, y2]) =>
          `${c} ${((x1 + x2) / 64).toFixed(6)} ${((y1 + y2) / 64).toFixed(6)} ${((x2 - x1) / 32).toFixed(6)} ${((y2 - y1) / 32).toFixed(6)}\n`,
      )
      .join('');
    await writeFile(join(root, 'labels', split, `${stem}.txt`), text);
  }
}

/**
 * The smallest mission the field-loop tests fly: one ROS 2 camera, one
 * detector pipeline, a hold behaviour and a log actuator. `extra` adds
 * top-level blocks (capture, modelTrust); `model` replaces the model entry.
 */
export function cameraMissionYaml(o: { id: string; extra?: string; model?: string; height?: number }): string {
  return `
apiVersion: kestrel/v1
mission: { id: ${o.id}, version: 1.0.0 }
platform: { kind: multirotor, id: t1, maxSpeedMps: 15 }
guardrails:
  geofence: [[[-20, -20], [420, -20], [420, 320], [-20, 320]]]
  altitude: { minM: 15, maxM: 80 }
  battery: { returnHomePct: 30, landPct: 15 }
sensors:
  - { id: cam, type: camera, source: { kind: ros2, topic: /cam }, rateHz: 10, width: 32, height: ${String(o.height ?? 32)} }
models:
  - ${o.model ?? '{ id: det, manifest: model.yaml }'}
perception:
  pipelines: [{ id: front, camera: cam, model: det }]
behavior: { kind: hold }
actuator: { kind: log }
${o.extra ?? ''}
`;
}

const inert = (name: string): Component => ({ name, start: () => undefined, stop: () => undefined });

/** A robot whose ROS 2 sources, hold behavior, guard and log actuator do nothing: for runtimes that test perception. */
export const inertRobot: KestrelPlugin = {
  name: 'inert-robot',
  sources: { ros2: (s) => inert(`source-${s.id}`) },
  behaviors: { hold: () => inert('behavior') },
  guard: () => inert('guard'),
  actuators: { log: () => inert('actuator') },
};
