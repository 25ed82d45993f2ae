import type { Mission } from '../../missions/index.js';
import {
  batteryTopic,
  decisionsTopic,
  detectionsTopic,
  poseTopic,
  reliable,
  sensorTopic,
  SENSOR_MESSAGE_TYPES,
  type Clock,
  type Component,
  type ComponentContext,
  type Logger,
  type MessageBus,
  type SensorKind,
  type Subscription,
  type Topic,
} from '../../runtime/index.js';
import type { McapBagWriter } from '../bag/mcap-bag-writer.js';
import { RECORDING_METADATA } from '../bag/types.js';
import { RECORDED_OUTPUTS } from '../replay/replay-recorder.js';
import { toDiagnosticArray } from '../ros2/outputs/decisions.js';
import { toDetection2DArray } from '../ros2/outputs/detections.js';
import { toPoseWithCovarianceStamped } from '../ros2/outputs/pose.js';
import { toRosSensorMessage } from './sensor-encoders.js';

/** Prefix of the recorded sensor topics: sensor `cam_down` is recorded on `/kestrel/sensors/cam_down`. */
export const RECORDED_SENSOR_PREFIX = '/kestrel/sensors/';

/** The bag topic a mission sensor is recorded on by `kestrel run --record`. */
export function recordedSensorTopic(sensorId: string): string {
  return `${RECORDED_SENSOR_PREFIX}${sensorId}`;
}

/** One sensor to record: its id, kind and (for cameras) the frame id detections are reported in. */
export interface RecordedSensor {
  readonly id: string;
  readonly type: SensorKind;
  readonly frameId: string;
}

export interface RunBagRecorderOptions {
  readonly sensors: readonly RecordedSensor[];
  /** Robot id, the decisions' `hardware_id`. */
  readonly robotId: string;
  readonly clock: Clock;
  readonly logger?: Logger;
}

/** The sensors of a mission as `RunBagRecorder` takes them. */
export function recordedSensors(mission: Mission): RecordedSensor[] {
  return mission.sensors.map((s) => ({ id: s.id, type: s.type, frameId: s.frameId ?? s.id }));
}

/**
 * Records a live or simulated run to a rosbag2 MCAP (profile `ros2`,
 * `ros2msg` schemas, `cdr`): every sensor message on the bus, converted back
 * to its ROS 2 type (Image, Imu, NavSatFix, Odometry, LaserScan,
 * BatteryState) on `/kestrel/sensors/<id>`, with the sensor's stamp in the
 * header and the delivery time as log time (so the sensor's latency survives),
 * plus Kestrel's outputs as `ReplayRecorder` writes them (detections, pose,
 * decisions).
 *
 * `kestrel replay <bag> --mission <same mission>` feeds `/kestrel/sensors/<id>`
 * back to sensor `<id>` (see `mapRecordedSensors`). An observer: started
 * before the mission's components, so it sees their first message. Writes
 * are queued in order and awaited at stop, which closes the file's MCAP
 * (summary, index); the first write failure is kept and thrown there.
 */
export class RunBagRecorder implements Component {
  readonly name = 'run-bag-recorder';
  private chain: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  private subs: Subscription[] = [];
  private written = 0;
  private skipped = 0;
  private closed = false;
  private startNs: bigint | undefined;

  private constructor(
    private readonly writer: McapBagWriter,
    private readonly options: RunBagRecorderOptions,
  ) {}

  static async create(writer: McapBagWriter, options: RunBagRecorderOptions): Promise<RunBagRecorder> {
    for (const s of options.sensors) await writer.addTopic(recordedSensorTopic(s.id), SENSOR_MESSAGE_TYPES[s.type]);
    for (const o of Object.values(RECORDED_OUTPUTS)) await writer.addTopic(o.topic, o.type);
    return new RunBagRecorder(writer, options);
  }

  /** Messages written so far (queued writes included). */
  messageCount(): number {
    return this.written;
  }

  start(ctx: ComponentContext): void {
    this.startNs = this.epochNs();
    const opts = { policy: reliable(), subscriber: this.name };
    const o = RECORDED_OUTPUTS;
    const cameraFrames = new Map(this.options.sensors.filter((s) => s.type === 'camera').map((s) => [s.id, s.frameId]));
    this.subs = this.options.sensors.map((s) => {
      const topic = recordedSensorTopic(s.id);
      return ctx.bus.subscribe(
        sensorTopic(s.type, s.id) as Topic<never>,
        (m) => {
          const ros = toRosSensorMessage(s.type, m.data, m.stampMs);
          if (ros === undefined) {
            if (this.skipped++ === 0)
              ctx.logger.warn({ sensor: s.id }, 'compressed camera frames are not recorded (sensor_msgs/Image only)');
            return;
          }
          this.write(topic, ros);
        },
        opts,
      );
    });
    this.subs.push(
      ctx.bus.subscribe(
        detectionsTopic,
        (m) =>
          this.write(o.detections.topic, toDetection2DArray(m.data, cameraFrames.get(m.data.camera) ?? m.data.camera)),
        opts,
      ),
      ctx.bus.subscribe(
        poseTopic,
        (m) => this.write(o.pose.topic, toPoseWithCovarianceStamped(m.data, m.stampMs)),
        opts,
      ),
      ctx.bus.subscribe(
        decisionsTopic,
        (m) => this.write(o.decisions.topic, toDiagnosticArray(m.data, this.options.robotId)),
        opts,
      ),
    );
  }

  async stop(): Promise<void> {
    for (const s of this.subs) s.unsubscribe();
    this.subs = [];
    if (!this.closed) {
      this.closed = true;
      // The run's own span, so a replay starts and ends where the run did (see `BagInfo.recording`).
      const span = new Map([
        ['start_time_ns', String(this.startNs ?? this.epochNs())],
        ['end_time_ns', String(this.epochNs())],
      ]);
      this.chain = this.chain.then(async () => {
        await this.writer.addMetadata(RECORDING_METADATA, span);
        await this.writer.close();
      });
    }
    await this.chain;
    this.options.logger?.info({ messages: this.written }, 'recording closed');
    if (this.failure !== undefined) throw this.failure;
  }

  /** The clock's epoch time in ns (µs resolution, as the log times). */
  private epochNs(): bigint {
    return BigInt(Math.round(this.options.clock.nowMs() * 1000)) * 1000n;
  }

  /**
   * Serializes now (the message's buffers may be reused once the handler
   * returns) and queues the write at the clock's epoch time.
   */
  private write(topic: string, message: object): void {
    if (this.failure !== undefined || this.closed) return;
    let data: Uint8Array;
    try {
      data = this.writer.serialize(topic, message);
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(`serializing ${topic} failed`, { cause: error });
      return;
    }
    const logNs = this.epochNs();
    this.written++;
    this.chain = this.chain.then(async () => {
      if (this.failure !== undefined) return;
      try {
        await this.writer.writeRaw(topic, logNs, data);
      } catch (error) {
        this.failure = error instanceof Error ? error : new Error('writing the recording failed', { cause: error });
      }
    });
  }
}

/**
 * The mission as a replay of a `kestrel run --record` bag runs it: each
 * sensor without a topic (sim, local camera) whose `/kestrel/sensors/<id>`
 * topic is in the bag reads that topic, as if it were a ROS 2 sensor. Sensors
 * with a ros2 or bag source keep theirs; the rest are left for `planReplay`
 * to report as not replayed.
 */
export function mapRecordedSensors(mission: Mission, bagTopics: readonly string[]): Mission {
  const inBag = new Set(bagTopics);
  const sensors = mission.sensors.map((s) => {
    if (s.source.kind === 'ros2' || s.source.kind === 'bag') return s;
    const topic = recordedSensorTopic(s.id);
    if (!inBag.has(topic)) return s;
    return { ...s, source: { kind: 'ros2' as const, topic, qos: 'sensor_data' as const } };
  });
  return sensors.some((s, i) => s !== mission.sensors[i]) ? { ...mission, sensors } : mission;
}

/**
 * Republishes the mission's battery sensors on `state/battery`, as the
 * simulator does for its battery: the guard's battery reserve and the
 * behaviors read that topic, and a replayed battery sensor only publishes
 * `sensors/<id>`. Returns the subscriptions (they end with the bus).
 */
export function relayBatteryState(bus: MessageBus, mission: Mission): Subscription[] {
  return mission.sensors
    .filter((s) => s.type === 'battery')
    .map((s) =>
      bus.subscribe(
        sensorTopic('battery', s.id),
        (m) => {
          bus.publish(batteryTopic, m.data, m.stampMs);
        },
        { policy: reliable(), subscriber: 'battery-relay' },
      ),
    );
}
