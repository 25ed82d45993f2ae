import type { DetectionFrame } from '../../../runtime/index.js';
import { msToStamp, type RosTime } from './stamp.js';

type Header = { readonly stamp: RosTime; readonly frame_id: string };

/** vision_msgs/msg/Detection2DArray (vision_msgs 4.x: Humble and later). */
export interface Detection2DArrayMsg {
  readonly header: Header;
  readonly detections: readonly {
    readonly header: Header;
    readonly results: readonly {
      readonly hypothesis: { readonly class_id: string; readonly score: number };
      readonly pose: {
        readonly pose: {
          readonly position: { x: number; y: number; z: number };
          readonly orientation: { x: number; y: number; z: number; w: number };
        };
        readonly covariance: Float64Array;
      };
    }[];
    readonly bbox: {
      readonly center: { readonly position: { readonly x: number; readonly y: number }; readonly theta: number };
      readonly size_x: number;
      readonly size_y: number;
    };
    /** The tracker's id, empty when untracked. */
    readonly id: string;
  }[];
}

const NO_POSE_COVARIANCE = new Float64Array(36);

/**
 * One frame's detections to Detection2DArray, stamped with the frame's
 * capture time (as vision_msgs asks) and framed in the camera's frame. Boxes
 * go from corners (x1, y1, x2, y2) to centre and size, in pixels; `class_id`
 * is the class name, which is what Foxglove and most consumers show.
 */
export function toDetection2DArray(frame: DetectionFrame, frameId: string): Detection2DArrayMsg {
  const header: Header = { stamp: msToStamp(frame.frameStampMs), frame_id: frameId };
  return {
    header,
    detections: frame.detections.map((d) => ({
      header,
      results: [
        {
          hypothesis: { class_id: d.className, score: d.score },
          pose: {
            pose: { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } },
            covariance: NO_POSE_COVARIANCE,
          },
        },
      ],
      bbox: {
        center: { position: { x: (d.box.x1 + d.box.x2) / 2, y: (d.box.y1 + d.box.y2) / 2 }, theta: 0 },
        size_x: d.box.x2 - d.box.x1,
        size_y: d.box.y2 - d.box.y1,
      },
      id: d.trackId === undefined ? '' : String(d.trackId),
    })),
  };
}
