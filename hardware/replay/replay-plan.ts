import type { Mission } from '../../missions/index.js';
import type { KestrelPlugin } from '../../runtime/index.js';
import type { BagInfo } from '../bag/types.js';
import type { ReplayRoute, TfRoute } from './bag-replay-source.js';
import { ReplayError } from './errors.js';

/** A mission sensor that gets nothing from the bag, and why. */
export interface UnmappedSensor {
  readonly sensorId: string;
  readonly reason: string;
}

export interface ReplayPlan {
  readonly routes: readonly ReplayRoute[];
  /** The mission's tf topics found in the bag: replayed onto `state/transforms`. */
  readonly tfRoutes: readonly TfRoute[];
  readonly unmapped: readonly UnmappedSensor[];
  /** The mission as the replay runs it: no simulator, dry-run actuator. */
  readonly mission: Mission;
}

/**
 * Maps a mission onto a bag by topic: a sensor whose source is a ROS 2 topic
 * (or a bag topic) is fed from that topic of the replayed bag, so the mission
 * written for the robot replays its recordings unchanged. Sensors with no
 * topic (sim, local camera) or whose topic the bag lacks are listed, not fed.
 *
 * The replayed mission drops the simulator (the bag is the world) and always
 * uses the dry-run `log` actuator: a replay never moves a robot. A ros2 tf
 * tree is read from the bag's /tf and /tf_static too, never from a live graph.
 */
export function planReplay(mission: Mission, info: BagInfo): ReplayPlan {
  const inBag = new Set(info.topics.map((t) => t.name));
  const routes: ReplayRoute[] = [];
  const unmapped: UnmappedSensor[] = [];
  for (const s of mission.sensors) {
    const source = s.source;
    if (source.kind !== 'ros2' && source.kind !== 'bag') {
      unmapped.push({ sensorId: s.id, reason: `source ${source.kind} has no topic` });
      continue;
    }
    if (!inBag.has(source.topic)) {
      unmapped.push({ sensorId: s.id, reason: `the bag has no topic ${source.topic}` });
      continue;
    }
    routes.push({ topic: source.topic, sensorId: s.id, sensorType: s.type });
  }
  if (routes.length === 0) {
    const topics = info.topics.map((t) => t.name).join(', ') || 'none';
    throw new ReplayError(
      'replay.no_topics',
      `no sensor of mission ${mission.mission.id} reads a topic of ${info.path} (bag topics: ${topics}); ` +
        'give sensors a ros2 source with the bag topic',
    );
  }
  const tf = mission.transforms;
  const tfRoutes: TfRoute[] =
    tf?.kind === 'ros2'
      ? [
          { topic: tf.topic, isStatic: false },
          { topic: tf.staticTopic, isStatic: true },
        ].filter((r) => inBag.has(r.topic))
      : [];
  const { simulation: _simulation, transforms: _transforms, ...rest } = mission;
  return { routes, tfRoutes, unmapped, mission: { ...rest, actuator: { kind: 'log' } } };
}

const nothing = (): [] => [];

/**
 * Replaces every built-in sensor source with nothing (the replay source feeds
 * the sensors' topics) and telemetry with nothing: a replay must not report a
 * recorded run to the operator's broker as if it were live. Goes last in the
 * plugin list, so it wins.
 */
export const replayPlugin: KestrelPlugin = {
  name: 'kestrel-replay',
  sources: { sim: nothing, ros2: nothing, bag: nothing, camera: nothing },
  telemetry: nothing,
};
