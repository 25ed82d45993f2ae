/**
 * Which score thresholds a pipeline's tracker runs with. A model's scores are
 * its own calibration (low over a big fire our 640 model scores the fire
 * 0.3-0.5, the 320 model 0.5-0.8), so a manifest may name the thresholds the
 * model was flown with; the mission can still set them for one pipeline.
 * Order: the mission's pipeline, then the model's manifest, then the tracker's
 * defaults.
 */
import type { TrackerHint } from './manifest.js';
import { DEFAULT_TRACKER_OPTIONS } from './tracker.js';

export type ThresholdSource = 'mission' | 'model' | 'default';

export interface TrackerThresholds {
  readonly highScoreThreshold: number;
  readonly newTrackThreshold: number;
  /** Where each value came from, for the load log. */
  readonly from: { readonly highScoreThreshold: ThresholdSource; readonly newTrackThreshold: ThresholdSource };
}

interface ThresholdFields {
  readonly highScoreThreshold?: number | undefined;
  readonly newTrackThreshold?: number | undefined;
}

export function trackerThresholds(mission: ThresholdFields, model: TrackerHint | undefined): TrackerThresholds {
  const pick = (key: keyof ThresholdFields): [number, ThresholdSource] => {
    const fromMission = mission[key];
    if (fromMission !== undefined) return [fromMission, 'mission'];
    const fromModel = model?.[key];
    if (fromModel !== undefined) return [fromModel, 'model'];
    return [DEFAULT_TRACKER_OPTIONS[key], 'default'];
  };
  const [highScoreThreshold, highFrom] = pick('highScoreThreshold');
  const [newTrackThreshold, newFrom] = pick('newTrackThreshold');
  return { highScoreThreshold, newTrackThreshold, from: { highScoreThreshold: highFrom, newTrackThreshold: newFrom } };
}
