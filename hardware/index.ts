/** Adapters to the world outside the process: ROS 2, rosbag2 files, cameras, actuators. */
export { hardwarePlugin } from './plugin.js';
export { LogActuator } from './log-actuator.js';
export { importOptional, requireOptional, OptionalModuleError } from './optional-module.js';
export { loadRclnodejs, loadRclnodejsApi, ROS2_INSTALL_HINT } from './ros2/availability.js';
export type { RclnodejsLoader } from './ros2/availability.js';
export type {
  RclEntityOptions,
  RclNode,
  RclPublisher,
  RclQoSClass,
  RclSubscription,
  Rclnodejs,
} from './ros2/rclnodejs-api.js';
export { Ros2Error } from './ros2/errors.js';
export { Ros2Source } from './ros2/ros2-source.js';
export type { Ros2SourceOptions } from './ros2/ros2-source.js';
export { Ros2TwistActuator } from './ros2/ros2-twist-actuator.js';
export { ROS2_OUTPUTS, Ros2OutputPublisher } from './ros2/ros2-output-publisher.js';
export type { Ros2OutputPublisherOptions } from './ros2/ros2-output-publisher.js';
export { Ros2TfSource, TF_MESSAGE_TYPE } from './ros2/ros2-tf-source.js';
export type { Ros2TfSourceOptions, TfSourceStats } from './ros2/ros2-tf-source.js';
export { TfSink } from './ros2/tf-sink.js';
export type { TfSinkStats } from './ros2/tf-sink.js';
export { convertTfMessage } from './ros2/convert/tf-message.js';
export type { Ros2TwistActuatorOptions } from './ros2/ros2-twist-actuator.js';
export { twistFor } from './ros2/twist.js';
export type { TwistMsg, TwistStampedMsg } from './ros2/twist.js';
export { qosFor } from './ros2/qos.js';
export type { QosName } from './ros2/qos.js';
export type { SinkStats } from './ros2/sensor-sink.js';
export {
  SENSOR_CONVERTERS,
  converterFor,
  convertBatteryState,
  convertCompressedImage,
  convertImage,
  convertImu,
  convertLaserScan,
  convertNavSatFix,
  convertOdometry,
  rosTypeForSensor,
} from './ros2/convert/index.js';
export type { Conversion, Converter, SensorConverter } from './ros2/convert/index.js';
export { BagError } from './bag/errors.js';
export { openBag } from './bag/open-bag.js';
export { openMcapBag } from './bag/mcap-bag-reader.js';
export { openSqliteBag } from './bag/sqlite-bag-reader.js';
export { BufferReadable, FileReadable } from './bag/file-readable.js';
export { createCdrDecoder, DecoderCache } from './bag/cdr-decoder.js';
export type { CdrDecode, DecoderSpec } from './bag/cdr-decoder.js';
export { builtinDefinitions, hasBuiltinDefinition } from './bag/message-definitions.js';
export { canonicalRosType, shortRosType } from './bag/ros-type-name.js';
export { BagSource } from './bag/bag-source.js';
export type { BagSourceOptions } from './bag/bag-source.js';
export { bagInfoToJson } from './bag/bag-info-json.js';
export type { BagInfoJson } from './bag/bag-info-json.js';
export type {
  BagInfo,
  BagMessage,
  BagReader,
  BagSchema,
  BagStorage,
  BagTopic,
  ReadOptions,
  RecordingSpan,
} from './bag/types.js';
export { RECORDING_METADATA } from './bag/types.js';
export { FileWritable } from './bag/file-writable.js';
export { McapBagWriter } from './bag/mcap-bag-writer.js';
export { BagReplaySource } from './replay/bag-replay-source.js';
export type { BagReplaySourceOptions, ReplayRoute, TfRoute } from './replay/bag-replay-source.js';
export { driveReplay } from './replay/replay-driver.js';
export type { ReplayDriveOptions, ReplayDriveResult, ReplayPacer } from './replay/replay-driver.js';
export { planReplay, replayPlugin } from './replay/replay-plan.js';
export type { ReplayPlan, UnmappedSensor } from './replay/replay-plan.js';
export { RECORDED_OUTPUTS, ReplayRecorder } from './replay/replay-recorder.js';
export type { ReplayRecorderOptions } from './replay/replay-recorder.js';
export { ReplayTally } from './replay/replay-tally.js';
export type { ReplayOutputs } from './replay/replay-tally.js';
export { runReplay } from './replay/run-replay.js';
export type { ReplayOptions, ReplayResult } from './replay/run-replay.js';
export { ReplayError } from './replay/errors.js';
export { toDetection2DArray } from './ros2/outputs/detections.js';
export type { Detection2DArrayMsg } from './ros2/outputs/detections.js';
export { toDiagnosticArray } from './ros2/outputs/decisions.js';
export type { DiagnosticArrayMsg } from './ros2/outputs/decisions.js';
export { toPoseWithCovarianceStamped } from './ros2/outputs/pose.js';
export type { PoseWithCovarianceStampedMsg } from './ros2/outputs/pose.js';
export { msToStamp } from './ros2/outputs/stamp.js';
export {
  RECORDED_SENSOR_PREFIX,
  RunBagRecorder,
  mapRecordedSensors,
  recordedSensorTopic,
  recordedSensors,
  relayBatteryState,
} from './record/run-bag-recorder.js';
export type { RecordedSensor, RunBagRecorderOptions } from './record/run-bag-recorder.js';
export { toRosSensorMessage } from './record/sensor-encoders.js';
