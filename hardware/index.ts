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
export type { BagInfo, BagMessage, BagReader, BagSchema, BagStorage, BagTopic, ReadOptions } from './bag/types.js';
