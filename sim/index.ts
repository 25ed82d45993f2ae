/**
 * The simulator: a deterministic 2.5D world (scenario, vehicle, fire, persons,
 * traffic), simulated sensors that publish the same messages a robot does,
 * and the runtime plugin that wires them from a mission.
 */
export {
  simPlugin,
  simWorldService,
  simTruthTopic,
  simLabelsTopic,
  simWorldComponent,
  simSensorComponent,
  simActuatorComponent,
  simulationComponents,
} from './plugin.js';
export { SIM_LINK_PEER, SimLinkState, simLinkComponent } from './link.js';
export { SIM_LABEL_LOG_COMPONENT, simLabelLogComponent } from './label-log.js';
export type { SimLabelRecord } from './label-log.js';
export { labelFrame, labelBoxes } from './dataset/label-frame.js';
export type { FrameLabelBox } from './dataset/label-frame.js';
export type { SimLinkOptions } from './link.js';
export type { SimFrameLabels } from './plugin.js';
export { SimWorld } from './world.js';
export type { SimTruth, SimWorldOptions, Solid } from './world.js';
export { RandomSource, RandomStream } from './random.js';
export { scenarioSchema } from './scenario/schema.js';
export type { FaultKind, Scenario, ScenarioInput } from './scenario/schema.js';
export { builtinScenario, builtinScenarioNames, parseScenario } from './scenario/builtin.js';
export { loadScenario } from './scenario/load.js';
export { FireGrid, CELL_BURNING, CELL_BURNT, CELL_EXTINGUISHED, CELL_UNBURNT } from './entities/fire.js';
export { ignitionOutcomes } from './outcomes.js';
export type { IgnitionOutcome } from './outcomes.js';
export { Person } from './entities/person.js';
export { TrafficVehicle } from './entities/traffic.js';
export { Multirotor } from './vehicles/multirotor.js';
export type { MultirotorParams } from './vehicles/multirotor.js';
export { DiffDrive } from './vehicles/diff-drive.js';
export type { DiffDriveParams } from './vehicles/diff-drive.js';
export { FixedSite } from './vehicles/fixed-site.js';
export { Battery } from './vehicles/battery.js';
export { Payload } from './vehicles/payload.js';
export { VehicleState, VELOCITY_TIMEOUT_S } from './vehicles/vehicle.js';
export type { SimVehicle, VehicleEnv } from './vehicles/vehicle.js';
export { approachSpeed, diffDriveGoto, multirotorGoto } from './vehicles/guidance.js';
export { createSimSensor } from './sensors/create.js';
export type { SimSensor, Mount } from './sensors/sensor.js';
export { SimImu } from './sensors/imu.js';
export { SimGnss } from './sensors/gnss.js';
export { SimOdometry } from './sensors/odometry.js';
export { SimLidar } from './sensors/lidar.js';
export { SimBattery } from './sensors/battery.js';
export { SimCamera } from './sensors/camera.js';
export { CameraRenderer } from './render/renderer.js';
export type { CameraIntrinsics, CameraPose, LabelBox, RenderResult } from './render/renderer.js';
export { SegmentSet, castRay } from './geometry.js';
export { generateDataset } from './dataset/generate.js';
export type { DatasetFrame, DatasetOptions, DatasetSplit } from './dataset/generate.js';
export { writeDataset } from './dataset/write.js';
export type { DatasetImageFormat, DatasetSummary, WriteDatasetOptions } from './dataset/write.js';
export { DATASET_CLASSES } from './dataset/classes.js';
export type { DatasetClass } from './dataset/classes.js';
export { mergeFireClusters, mergeOverlapping } from './dataset/clusters.js';
export { toYoloLabels, formatYoloLabels, formatDataYaml } from './dataset/yolo.js';
export type { YoloLabel } from './dataset/yolo.js';
export type { DatasetView } from './dataset/poses.js';
