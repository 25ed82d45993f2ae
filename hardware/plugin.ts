import { isAbsolute, resolve } from 'node:path';
import type { KestrelPlugin } from '../runtime/index.js';
import { BagSource } from './bag/bag-source.js';
import { LogActuator } from './log-actuator.js';
import { Ros2OutputPublisher } from './ros2/ros2-output-publisher.js';
import { Ros2Source } from './ros2/ros2-source.js';
import { Ros2TfSource } from './ros2/ros2-tf-source.js';
import { Ros2TwistActuator } from './ros2/ros2-twist-actuator.js';

/**
 * Hardware adapters: live ROS 2 topics, commands and outputs (rclnodejs,
 * loaded lazily), rosbag2 replay, and the dry-run actuator.
 */
export const hardwarePlugin: KestrelPlugin = {
  name: 'kestrel-hardware',
  sources: {
    ros2: (sensor) => {
      if (sensor.source.kind !== 'ros2') throw new TypeError(`ros2 source factory got a ${sensor.source.kind} source`);
      return new Ros2Source({
        sensorId: sensor.id,
        sensorType: sensor.type,
        topic: sensor.source.topic,
        qos: sensor.source.qos,
      });
    },
    bag: (sensor, ctx) => {
      const source = sensor.source;
      if (source.kind !== 'bag') throw new TypeError(`bag source factory got a ${source.kind} source`);
      return new BagSource({
        sensorId: sensor.id,
        sensorType: sensor.type,
        rateHz: sensor.rateHz,
        path: isAbsolute(source.path) ? source.path : resolve(ctx.baseDir, source.path),
        topic: source.topic,
        loop: source.loop,
      });
    },
  },
  actuators: {
    log: () => new LogActuator(),
    ros2: (actuator) => {
      if (actuator.kind !== 'ros2') throw new TypeError(`ros2 actuator factory got a ${actuator.kind} actuator`);
      return new Ros2TwistActuator({ topic: actuator.topic, message: actuator.message });
    },
  },
  // A mission that drives a ROS 2 robot also shows the ROS 2 graph what Kestrel sees and decides;
  // one that names a tf tree gets its transforms on state/transforms.
  components: (ctx) => {
    const out = [];
    if (ctx.mission.actuator?.kind === 'ros2') {
      out.push(
        new Ros2OutputPublisher({
          robotId: ctx.mission.platform.id,
          cameraFrames: new Map(
            ctx.mission.sensors.filter((s) => s.type === 'camera').map((s) => [s.id, s.frameId ?? s.id]),
          ),
        }),
      );
    }
    const tf = ctx.mission.transforms;
    if (tf?.kind === 'ros2') out.push(new Ros2TfSource({ topic: tf.topic, staticTopic: tf.staticTopic }));
    return out;
  },
};
