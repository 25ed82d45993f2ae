import type { LabelBox } from '../render/renderer.js';
import { DATASET_CLASSES } from './classes.js';
import { mergeFireClusters, mergeOverlapping } from './clusters.js';
import { toYoloLabels, type YoloLabel } from './yolo.js';

/** A labelled object in pixels, as a person would box it. */
export interface FrameLabelBox {
  readonly cls: string;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/**
 * The one labelling rule for simulated frames, shared by `kestrel sim dataset`
 * and the mission-time label log (`simulation.labelLog`) that labels field
 * captures: one box per connected fire (`gridCols` of the fuel grid), smoke
 * puffs that overlap merged, boxes clipped to the frame and slivers under
 * two pixels dropped.
 */
export function labelFrame(
  boxes: readonly LabelBox[],
  width: number,
  height: number,
  gridCols: number | undefined,
): { readonly merged: LabelBox[]; readonly labels: YoloLabel[] } {
  const fires = gridCols === undefined ? boxes : mergeFireClusters(boxes, gridCols);
  const merged = mergeOverlapping(fires, 'smoke');
  return { merged, labels: toYoloLabels(merged, width, height, DATASET_CLASSES) };
}

/** YOLO labels back to pixel boxes with class names (what the label log stores). */
export function labelBoxes(labels: readonly YoloLabel[], width: number, height: number): FrameLabelBox[] {
  const r = (v: number): number => Math.round(v * 100) / 100;
  return labels.map((l) => ({
    cls: DATASET_CLASSES[l.classIndex] as string,
    x: r((l.cx - l.w / 2) * width),
    y: r((l.cy - l.h / 2) * height),
    w: r(l.w * width),
    h: r(l.h * height),
  }));
}
