import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EvalDatasetError, parseDataYamlNames, parseYoloLabels, readYoloSplit } from '../../../perception/index.js';

describe('parseYoloLabels', () => {
  it('turns normalised centre/size into pixel corners', () => {
    const boxes = parseYoloLabels('0 0.5 0.5 0.25 0.5\n\n2 0.1 0.2 0.1 0.1\n', 640, 480, 'a.txt');
    expect(boxes[0]).toEqual({ classId: 0, box: [240, 120, 400, 360] });
    expect(boxes[1]!.classId).toBe(2);
    expect(boxes[1]!.box[0]).toBeCloseTo(32, 9);
    expect(boxes[1]!.box[3]).toBeCloseTo(120, 9);
  });

  it('EXPECTED FAILURE - a malformed line names its file and line', () => {
    const bad = (): unknown => parseYoloLabels('0 0.5 0.5 0.2 0.2\n1 0.5 oops 0.2\n', 10, 10, 'b.txt');
    expect(bad).toThrow(EvalDatasetError);
    expect(bad).toThrow(/b\.txt:2/);
  });
});

describe('parseDataYamlNames', () => {
  it('reads names as an index map or a list', () => {
    expect(parseDataYamlNames('names:\n  0: fire\n  1: smoke\n', 'd')).toEqual(['fire', 'smoke']);
    expect(parseDataYamlNames('names: [fire, person]\n', 'd')).toEqual(['fire', 'person']);
  });

  it('EXPECTED FAILURE - no names', () => {
    expect(() => parseDataYamlNames('nc: 2\n', 'd')).toThrow(EvalDatasetError);
  });
});

describe('readYoloSplit', () => {
  it('lists images in name order with their label paths', async () => {
    const root = await mkdtemp(join(tmpdir(), 'kestrel-yolo-'));
    await mkdir(join(root, 'images', 'val'), { recursive: true });
    await writeFile(join(root, 'data.yaml'), 'names:\n  0: fire\n');
    await writeFile(join(root, 'images', 'val', 'b.jpg'), '');
    await writeFile(join(root, 'images', 'val', 'a.png'), '');
    await writeFile(join(root, 'images', 'val', 'notes.txt'), '');
    const split = await readYoloSplit(root, 'val');
    expect(split.classNames).toEqual(['fire']);
    expect(split.images.map((i) => i.labelPath)).toEqual([
      join(root, 'labels', 'val', 'a.txt'),
      join(root, 'labels', 'val', 'b.txt'),
    ]);
  });

  it('BAD CALL - a folder without data.yaml', async () => {
    const root = await mkdtemp(join(tmpdir(), 'kestrel-yolo-'));
    await expect(readYoloSplit(root, 'val')).rejects.toMatchObject({ code: 'eval.dataset_invalid' });
  });
});
