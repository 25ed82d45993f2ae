/**
 * Inventory: every output Kestrel publishes or records as a ROS 2 message
 * serializes with its built-in definition and decodes back to the same fields.
 */
import { TempBuffer } from '@mcap/core';
import { describe, expect, it } from 'vitest';
import {
  McapBagWriter,
  createCdrDecoder,
  msToStamp,
  toDetection2DArray,
  toDiagnosticArray,
  toPoseWithCovarianceStamped,
} from '../../../../hardware/index.js';
import type { Decision, DetectionFrame, PoseEstimate } from '../../../../runtime/index.js';

const frame: DetectionFrame = {
  pipeline: 'front',
  camera: 'cam',
  model: 'det',
  width: 640,
  height: 480,
  frameStampMs: 1_700_000_000_123.456,
  detections: [
    { classId: 0, className: 'person', score: 0.9, box: { x1: 10, y1: 20, x2: 50, y2: 120 }, trackId: 7 },
    { classId: 1, className: 'car', score: 0.5, box: { x1: 0, y1: 0, x2: 4, y2: 2 } },
  ],
  latencyMs: {},
};

const pose: PoseEstimate = {
  frameId: 'map',
  positionM: { x: 1, y: 2, z: 3 },
  orientation: { x: 0, y: 0, z: 0.3826834, w: 0.9238795 },
  yawRad: Math.PI / 4,
  poseCovariance: Array.from({ length: 36 }, (_, i) => (i % 7 === 0 ? 0.25 : 0)),
  linearVelocityMps: { x: 0, y: 0, z: 0 },
  yawRateRps: 0,
  source: 'ekf',
};

const decision: Decision = {
  proposalId: 'behavior-000001',
  source: 'behavior/patrol',
  verdict: 'modify',
  action: { kind: 'velocity', linearMps: { x: 0.4, y: 0, z: 0 }, yawRateRps: 0 },
  requested: { kind: 'velocity', linearMps: { x: 1, y: 0, z: 0 }, yawRateRps: 0 },
  ruleId: 'speed',
  code: 'speed.clamp',
  reason: 'speed 1.0 m/s over the 0.4 m/s limit',
  decidedAtMs: 1_700_000_000_500,
};

/** Serializes with the writer's definitions, decodes with the schema text the writer stores (as Foxglove would). */
async function roundTrip(type: string, message: object): Promise<Record<string, unknown>> {
  const w = await McapBagWriter.create(new TempBuffer());
  await w.addTopic('/t', type);
  const bytes = w.serialize('/t', message);
  return createCdrDecoder({ type, serializationFormat: 'cdr' })(bytes);
}

describe('ROS 2 outputs', () => {
  it('msToStamp splits epoch ms into sec and nanosec, to the microsecond', () => {
    expect(msToStamp(1_700_000_000_123.456)).toEqual({ sec: 1_700_000_000, nanosec: 123_456_000 });
    expect(msToStamp(0)).toEqual({ sec: 0, nanosec: 0 });
  });

  it('detections: vision_msgs/Detection2DArray, boxes as centre and size, track id as id', async () => {
    const ros = await roundTrip('vision_msgs/msg/Detection2DArray', toDetection2DArray(frame, 'camera_optical'));
    expect(ros).toMatchObject({
      header: { stamp: { sec: 1_700_000_000, nanosec: 123_456_000 }, frame_id: 'camera_optical' },
      detections: [
        {
          results: [{ hypothesis: { class_id: 'person', score: 0.9 } }],
          bbox: { center: { position: { x: 30, y: 70 }, theta: 0 }, size_x: 40, size_y: 100 },
          id: '7',
        },
        { results: [{ hypothesis: { class_id: 'car', score: 0.5 } }], bbox: { size_x: 4, size_y: 2 }, id: '' },
      ],
    });
  });

  it('pose: geometry_msgs/PoseWithCovarianceStamped with the 6x6 covariance', async () => {
    const ros = (await roundTrip(
      'geometry_msgs/msg/PoseWithCovarianceStamped',
      toPoseWithCovarianceStamped(pose, 1_700_000_000_000),
    )) as { header: unknown; pose: { pose: unknown; covariance: Float64Array } };
    expect(ros.header).toEqual({ stamp: { sec: 1_700_000_000, nanosec: 0 }, frame_id: 'map' });
    expect(ros.pose.pose).toEqual({ position: { x: 1, y: 2, z: 3 }, orientation: pose.orientation });
    expect(Array.from(ros.pose.covariance)).toEqual(pose.poseCovariance);
  });

  it('pose: EXPECTED FAILURE - a covariance of the wrong length becomes zeros, not a short array', () => {
    const msg = toPoseWithCovarianceStamped({ ...pose, poseCovariance: [1, 2, 3] }, 0);
    expect(Array.from(msg.pose.covariance)).toEqual(new Array(36).fill(0));
  });

  it('decisions: diagnostic_msgs/DiagnosticArray, level by verdict, code and actions in values', async () => {
    const ros = await roundTrip('diagnostic_msgs/msg/DiagnosticArray', toDiagnosticArray(decision, 'rover-1'));
    expect(ros).toEqual({
      header: { stamp: { sec: 1_700_000_000, nanosec: 500_000_000 }, frame_id: '' },
      status: [
        {
          level: 1,
          name: 'kestrel/guard/speed',
          message: 'speed 1.0 m/s over the 0.4 m/s limit',
          hardware_id: 'rover-1',
          values: [
            { key: 'proposal_id', value: 'behavior-000001' },
            { key: 'source', value: 'behavior/patrol' },
            { key: 'verdict', value: 'modify' },
            { key: 'code', value: 'speed.clamp' },
            { key: 'requested', value: JSON.stringify(decision.requested) },
            { key: 'action', value: JSON.stringify(decision.action) },
          ],
        },
      ],
    });
    const denied = toDiagnosticArray({ ...decision, verdict: 'deny', action: undefined }, 'r');
    expect(denied.status[0]!.level).toBe(2);
    expect(denied.status[0]!.values.map((v) => v.key)).not.toContain('action');
  });
});
