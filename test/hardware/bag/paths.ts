import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const fixtureBags = join(repoRoot, 'test', 'fixtures', 'bags');
export const sensorsMcap = join(fixtureBags, 'sensors.mcap');
export const sensorsDb3 = join(fixtureBags, 'sensors.db3');
/** `../shared` beside the checkout: reference data, absent on a fresh clone. */
export const sharedDir = join(repoRoot, '..', 'shared');
export const referenceBags = join(sharedDir, 'reference', 'bags');
export const hasReferenceBags = existsSync(referenceBags);
