import {
  decisionsTopic,
  detectionsTopic,
  poseTopic,
  reliable,
  type Clock,
  type Component,
  type ComponentContext,
  type Subscription,
} from '../../runtime/index.js';
import type { McapBagWriter } from '../bag/mcap-bag-writer.js';
import { canonicalRosType } from '../bag/ros-type-name.js';
import type { BagMessage, BagTopic } from '../bag/types.js';
import { toDiagnosticArray } from '../ros2/outputs/decisions.js';
import { toDetection2DArray } from '../ros2/outputs/detections.js';
import { toPoseWithCovarianceStamped } from '../ros2/outputs/pose.js';

/** Where Kestrel's outputs go in a recording, and their ROS 2 types. */
export const RECORDED_OUTPUTS = {
  detections: { topic: '/kestrel/detections', type: 'vision_msgs/msg/Detection2DArray' },
  pose: { topic: '/kestrel/pose', type: 'geometry_msgs/msg/PoseWithCovarianceStamped' },
  decisions: { topic: '/kestrel/decisions', type: 'diagnostic_msgs/msg/DiagnosticArray' },
} as const;

export interface ReplayRecorderOptions {
  /** The input topics to copy, as the source bag describes them. */
  readonly inputs: readonly BagTopic[];
  /** Camera sensor id to its frame id, for the detections' header. */
  readonly cameraFrames: ReadonlyMap<string, string>;
  /** Robot id, the decisions' `hardware_id`. */
  readonly robotId: string;
  /** Clock whose monotonic time maps outputs onto bag time. */
  readonly clock: Clock;
}

/**
 * Writes a replay to a rosbag2 MCAP: every input message as recorded (the
 * same CDR bytes on the same topic at the same log time, so replaying the
 * recording feeds the mission exactly what the first replay did), and
 * Kestrel's outputs as ROS 2 messages: detections (vision_msgs), fused pose
 * (geometry_msgs) and guard decisions (diagnostic_msgs).
 *
 * Outputs are logged in bag time: the last input's log time plus the replay
 * time since it, so a viewer shows a detection next to the frame it came from.
 * Writes are queued in order and awaited at stop; the first failure is kept
 * and thrown there.
 */
export class ReplayRecorder implements Component {
  readonly name = 'replay-recorder';
  private chain: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  private subs: Subscription[] = [];
  private lastInputNs: bigint | undefined;
  private lastInputMono = 0;
  private written = 0;

  private constructor(
    private readonly writer: McapBagWriter,
    private readonly options: ReplayRecorderOptions,
  ) {}

  static async create(writer: McapBagWriter, options: ReplayRecorderOptions): Promise<ReplayRecorder> {
    for (const t of options.inputs) await writer.addTopic(t.name, canonicalRosType(t.type));
    for (const o of Object.values(RECORDED_OUTPUTS)) await writer.addTopic(o.topic, o.type);
    return new ReplayRecorder(writer, options);
  }

  /** Messages written so far (queued writes included). */
  messageCount(): number {
    return this.written;
  }

  /** An input message as it is replayed. Its bytes are copied: the reader reuses its buffer. */
  input(m: BagMessage, replayMonoMs: number): void {
    this.lastInputNs = m.logTimeNs;
    this.lastInputMono = replayMonoMs;
    const data = m.data.slice();
    this.enqueue(() => this.writer.writeRaw(m.topic, m.logTimeNs, data));
  }

  start(ctx: ComponentContext): void {
    const opts = { policy: reliable(), subscriber: this.name };
    const o = RECORDED_OUTPUTS;
    this.subs = [
      ctx.bus.subscribe(
        detectionsTopic,
        (m) => {
          const frameId = this.options.cameraFrames.get(m.data.camera) ?? m.data.camera;
          this.output(o.detections.topic, toDetection2DArray(m.data, frameId));
        },
        opts,
      ),
      ctx.bus.subscribe(
        poseTopic,
        (m) => this.output(o.pose.topic, toPoseWithCovarianceStamped(m.data, m.stampMs)),
        opts,
      ),
      ctx.bus.subscribe(
        decisionsTopic,
        (m) => this.output(o.decisions.topic, toDiagnosticArray(m.data, this.options.robotId)),
        opts,
      ),
    ];
  }

  async stop(): Promise<void> {
    for (const s of this.subs) s.unsubscribe();
    this.subs = [];
    this.chain = this.chain.then(() => this.writer.close());
    await this.chain;
    if (this.failure !== undefined) throw this.failure;
  }

  private output(topic: string, message: object): void {
    // Before the first input there is no bag time yet; nothing to place it against.
    if (this.lastInputNs === undefined) return;
    const sinceMs = this.options.clock.monoMs() - this.lastInputMono;
    const logNs = this.lastInputNs + BigInt(Math.round(sinceMs * 1e6));
    this.enqueue(() => this.writer.write(topic, logNs, message));
  }

  private enqueue(write: () => Promise<void>): void {
    this.written++;
    this.chain = this.chain.then(async () => {
      if (this.failure !== undefined) return;
      try {
        await write();
      } catch (error) {
        this.failure = error instanceof Error ? error : new Error('writing the recording failed', { cause: error });
      }
    });
  }
}
