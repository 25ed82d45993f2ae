import { describe, expect, it } from 'vitest';
import { DATASET_CLASSES, formatDataYaml, formatYoloLabels, toYoloLabels } from '../../../sim/index.js';

describe('toYoloLabels', () => {
  it('normalises centre and size by the image, class index from the class list', () => {
    const [l] = toYoloLabels([{ cls: 'person', id: 'p', x: 100, y: 50, w: 20, h: 40 }], 200, 100, DATASET_CLASSES);
    expect(l).toEqual({ classIndex: 2, cx: 0.55, cy: 0.7, w: 0.1, h: 0.4 });
  });

  it('clips boxes to the image and drops slivers and unknown classes', () => {
    const labels = toYoloLabels(
      [
        { cls: 'fire', id: 'f', x: -10, y: 90, w: 30, h: 30 }, // clipped to 0..20 x 90..100
        { cls: 'fire', id: 'edge', x: 199, y: 0, w: 10, h: 10 }, // 1 px left inside: dropped
        { cls: 'dragon', id: 'd', x: 0, y: 0, w: 10, h: 10 },
      ],
      200,
      100,
      DATASET_CLASSES,
    );
    expect(labels).toEqual([{ classIndex: 0, cx: 0.05, cy: 0.95, w: 0.1, h: 0.1 }]);
  });
});

describe('formatYoloLabels and formatDataYaml', () => {
  it('writes `class cx cy w h` with six decimals, one object a line', () => {
    expect(formatYoloLabels([{ classIndex: 3, cx: 0.5, cy: 0.25, w: 1 / 3, h: 0.1 }])).toBe(
      '3 0.500000 0.250000 0.333333 0.100000\n',
    );
    expect(formatYoloLabels([])).toBe('');
  });

  it('writes names as an index map, in class order', () => {
    const yaml = formatDataYaml(DATASET_CLASSES, ['hello']);
    expect(yaml).toContain('# hello\n');
    expect(yaml).toContain('train: images/train\nval: images/val\nnc: 4\n');
    expect(yaml).toContain('names:\n  0: fire\n  1: smoke\n  2: person\n  3: vehicle\n');
  });
});
