/**
 * The field data loop: signed models and their trust check, promotion with a
 * measured win and rollback, capture of what the model may have got wrong,
 * and its export as training data. The one public surface of `fieldloop/`.
 */
export {
  BadSignatureError,
  CaptureStoreError,
  DataError,
  ManifestTamperedError,
  ModelTamperedError,
  ModelTrustError,
  ModelUnsignedError,
  PromotionRefusedError,
  RegistryError,
  SignatureMalformedError,
  SigningKeyError,
  UnknownSignerError,
} from './errors.js';
export { fieldloopPlugin } from './plugin.js';
export {
  keyFingerprint,
  publicKeyFromBase64,
  rawPublicKeyBase64,
  readSigningKey,
  signingKeyFromPem,
} from './trust/keys.js';
export type { ModelSigningKey } from './trust/keys.js';
export {
  SIGNATURE_KIND,
  SIGNATURE_SUFFIX,
  parseSignature,
  payloadBytes,
  signModel,
  signatureEnvelopeSchema,
  trustedKeys,
  verifyModelSignature,
} from './trust/signature.js';
export type {
  SignatureEnvelope,
  SignaturePayload,
  TrustedKey,
  VerifiedSignature,
  VerifyInput,
} from './trust/signature.js';
export { modelTrustVerifier, signManifestFile, signaturePath, verifyManifestFile } from './trust/manifest-signing.js';
export type { ManifestVerification, SignedManifest } from './trust/manifest-signing.js';
export { ModelTrustComponent } from './trust/trust-component.js';
export { runKeygen, runSign, runVerify } from './trust/commands.js';
export type { KeygenResult, SignResult, VerifyResult } from './trust/commands.js';
export { PROMOTION_METRICS, compareForPromotion, renderComparison } from './registry/compare.js';
export type { ClassComparison, CompareOptions, PromotionComparison, PromotionMetric } from './registry/compare.js';
export { CURRENT_MANIFEST, ModelRegistry } from './registry/registry.js';
export type { HistoryLine, PromotionRecord, RegistryEntry } from './registry/registry.js';
export { runPromote, runRollback } from './registry/promote.js';
export { compareFlights, fastProfile, flyMission, renderFlights } from './registry/flight.js';
export type {
  FlightComparison,
  FlightOptions,
  FlightOutcome,
  FlightProfile,
  FlightRow,
  FlightRunner,
} from './registry/flight.js';
export type {
  GuardComparison,
  PromoteResult,
  RollbackResult,
  RunPromoteOptions,
  RunRollbackOptions,
} from './registry/promote.js';
export { FrameRing } from './capture/ring.js';
export type { FrameRingOptions, RingFrame } from './capture/ring.js';
export { TRIGGER_KINDS, TriggerEngine } from './capture/triggers.js';
export type { TriggerHit, TriggerKind } from './capture/triggers.js';
export { CaptureStore } from './capture/store.js';
export type {
  CaptureInput,
  CaptureRow,
  CaptureStoreOptions,
  FrameInput,
  FrameRow,
  ModelInfo,
  PutResult,
  StoreStats,
  StoredPose,
} from './capture/store.js';
export { encodeFrame, storedPose } from './capture/encode.js';
export { CAPTURE_COMPONENT, CaptureComponent } from './capture/capture-component.js';
export type { CaptureCounters } from './capture/capture-component.js';
export { detectionsToYolo, checkYoloLabels } from './data/yolo-labels.js';
export { datasetClassNames, frameStem, runDataExport } from './data/export.js';
export type { DataExportResult, LabelChoice, ProvenanceLine, RunDataExportOptions } from './data/export.js';
export { runDataImport } from './data/import.js';
export type { DataImportResult, RunDataImportOptions } from './data/import.js';
export { runDataLabelSim, truthToYolo } from './data/label-sim.js';
export type { DataLabelSimResult, RunDataLabelSimOptions } from './data/label-sim.js';
