import type { MessageDefinitions } from './message-definitions.js';

type Definition = MessageDefinitions[number];
type Field = Definition['definitions'][number];

const field = (name: string, type: string, more: Partial<Field> = {}): Field => ({
  name,
  type,
  isComplex: type.includes('/'),
  isArray: false,
  ...more,
});

/**
 * vision_msgs 4.x (Humble, Jazzy): the detection messages Kestrel records and
 * publishes. Not in the common-messages package Kestrel takes the rest from,
 * so written out here in the same form. Fields as in
 * https://github.com/ros-perception/vision_msgs/tree/ros2/vision_msgs/msg.
 */
export const VISION_MSGS: readonly Definition[] = [
  {
    name: 'vision_msgs/Detection2DArray',
    definitions: [
      field('header', 'std_msgs/Header'),
      field('detections', 'vision_msgs/Detection2D', { isArray: true }),
    ],
  },
  {
    name: 'vision_msgs/Detection2D',
    definitions: [
      field('header', 'std_msgs/Header'),
      field('results', 'vision_msgs/ObjectHypothesisWithPose', { isArray: true }),
      field('bbox', 'vision_msgs/BoundingBox2D'),
      field('id', 'string'),
    ],
  },
  {
    name: 'vision_msgs/ObjectHypothesisWithPose',
    definitions: [
      field('hypothesis', 'vision_msgs/ObjectHypothesis'),
      field('pose', 'geometry_msgs/PoseWithCovariance'),
    ],
  },
  {
    name: 'vision_msgs/ObjectHypothesis',
    definitions: [field('class_id', 'string'), field('score', 'float64')],
  },
  {
    name: 'vision_msgs/BoundingBox2D',
    definitions: [field('center', 'vision_msgs/Pose2D'), field('size_x', 'float64'), field('size_y', 'float64')],
  },
  {
    name: 'vision_msgs/Pose2D',
    definitions: [field('position', 'vision_msgs/Point2D'), field('theta', 'float64')],
  },
  {
    name: 'vision_msgs/Point2D',
    definitions: [field('x', 'float64'), field('y', 'float64')],
  },
];
