/**
 * Kestrel perception: load a mission's model, run it, decode and track what it sees.
 * The one public surface of `perception/`; other folders import nothing deeper.
 */
export { createDetector } from './detector.js';
export type { Detector, DetectorOptions, PendingFrame, ReloadResult } from './detector.js';
export { registerBackend, registeredBackends } from './backend.js';
export type {
  Backend,
  BackendLoadContext,
  ModelRunner,
  OutputTensor,
  ProviderFallback,
  TensorInfo,
} from './backend.js';
export { registerDecoder, registeredDecoders, createDecoder } from './decoders/registry.js';
export { Candidates } from './decoders/candidates.js';
export { classThreshold } from './decoders/decoder.js';
export type { DecodeContext, Decoder, DecoderFactory } from './decoders/decoder.js';
export { modelManifestSchema, parseModelManifest, modelManifestJsonSchema, EXECUTION_PROVIDERS } from './manifest.js';
export type {
  ExecutionProviderName,
  InputSpec,
  ModelManifest,
  ModelManifestInput,
  OutputSpec,
  TrackerHint,
} from './manifest.js';
export { resolveManifest } from './manifest-file.js';
export type { ManifestSource, ResolvedManifest } from './manifest-file.js';
export { Preprocessor, unletterboxInPlace } from './letterbox.js';
export { BilinearResampler } from './resample.js';
export type { BilinearResamplerOptions, PixelRows } from './resample.js';
export type {
  ImageInput,
  LetterboxTransform,
  PreparedFrame,
  PreprocessorOptions,
  PreprocessSpec,
  RawFrame,
  RawPixelEncoding,
} from './letterbox.js';
export { readImageSize } from './image-size.js';
export { stripJpegMetadata } from './jpeg-metadata.js';
export type { ImageSize } from './image-size.js';
export { nms, NmsScratch, iou } from './nms.js';
export type { NmsOptions } from './nms.js';
export { Tracker, DEFAULT_TRACKER_OPTIONS } from './tracker.js';
export type { TrackedDetection, TrackerOptions, TrackSnapshot, TrackState } from './tracker.js';
export { trackerThresholds } from './tracker-thresholds.js';
export type { ThresholdSource, TrackerThresholds } from './tracker-thresholds.js';
export { sha256File, sha256Bytes, verifySha256 } from './sha256.js';
export { readOnnxMetadata, parseUltralyticsNames } from './onnx/metadata.js';
export { openOnnxSession, onnxBackend } from './onnx/session.js';
export { sessionConfig } from './onnx/open-session.js';
export { tfjsBackend } from './tfjs/backend.js';
export type { OnnxSession, OnnxSessionOptions, SessionLog } from './onnx/open-session.js';
export { runDetect } from './detect-command.js';
export { annotatedPath, annotationSvg, writeAnnotatedImage } from './annotate.js';
export type { AnnotationBox } from './annotate.js';
export type {
  DetectCommandDetection,
  DetectCommandImage,
  DetectCommandResult,
  RunDetectOptions,
} from './detect-command.js';
export {
  DecoderError,
  InferenceError,
  ModelIntegrityError,
  ModelLoadError,
  ModelManifestError,
  PerceptionInputError,
} from './errors.js';
export type { BoxXyxy, Detection, DetectionFrame, StageTimings } from './types.js';
export { estimatorPlugin } from './fusion/plugin.js';
export { PassthroughEstimator } from './fusion/passthrough-estimator.js';
export {
  EkfEstimator,
  DEFAULT_PROCESS_NOISE,
  AERIAL_PROCESS_NOISE,
  DEFAULT_INITIAL_COVARIANCE,
  DIVERGED_AFTER_MS,
} from './fusion/ekf-estimator.js';
export type { EstimatorStats } from './fusion/ekf-estimator.js';
export { Ekf } from './fusion/ekf.js';
export type { CorrectResult, EkfConfig, Measurement } from './fusion/ekf.js';
export { LaggedFilter } from './fusion/lagged-filter.js';
export { TargetLocaliser, sightingsTopic, DEFAULT_LOCALISER_OPTIONS } from './fusion/target-localiser.js';
export type { LocaliserOptions, SightingReport, SkipReason } from './fusion/target-localiser.js';
export { WorldModel } from './fusion/world-model.js';
export type { Sighting, WorldModelOptions } from './fusion/world-model.js';
export { ApproximateTimeSync } from './fusion/approximate-time.js';
export { TransformTree } from './fusion/transforms.js';
export { cameraFromFov, localiseBox } from './fusion/localise.js';
export { compose, fromMount, fromRpy } from './fusion/transforms.js';
export type { Transform } from './fusion/transforms.js';
export { perceptionPlugin } from './plugin.js';
export { MODEL_TRUST_COMPONENT, modelVerifierService } from './model-verifier.js';
export type { ModelToVerify, ModelVerifier } from './model-verifier.js';
export { PerceptionPipeline } from './pipeline-component.js';
export { runEval } from './eval/eval-command.js';
export type { EvalCommandResult, RunEvalOptions } from './eval/eval-command.js';
export {
  evaluateDetections,
  averagePrecision,
  matchGreedy,
  iouXyxy,
  COCO_IOU_THRESHOLDS,
} from './eval/average-precision.js';
export type {
  ClassMetrics,
  EvalBox,
  EvalDetection,
  EvalImage,
  EvalMetricOptions,
  EvalMetrics,
  Xyxy,
} from './eval/average-precision.js';
export { badSizeEdges, evaluateBySize, FOUND_IOU, longerSide } from './eval/size-buckets.js';
export type { ClassSizeMetrics, SizeBucketMetrics } from './eval/size-buckets.js';
export { EvalDatasetError, parseYoloLabels, parseDataYamlNames, readYoloSplit } from './eval/yolo-dataset.js';
export type { YoloImageEntry, YoloSplit } from './eval/yolo-dataset.js';
export { STATE_FIELDS } from './fusion/state.js';
export type { StateField } from './fusion/state.js';
