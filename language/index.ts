/**
 * Kestrel language models: GGUF (node-llama-cpp) and ONNX decoder-only
 * backends behind one manifest, with output constrained to a JSON Schema.
 * The one public surface of `language/`; other folders import nothing deeper.
 */
export { loadLanguageModel } from './load.js';
export type { LoadLanguageModelOptions } from './load.js';
export type {
  BareGenerateRequest,
  GenerateRequest,
  GenerateResult,
  LanguageModel,
  LanguageModelInfo,
  MsClock,
  StopReason,
} from './language-model.js';
export {
  LANGUAGE_BACKENDS,
  languageModelManifestSchema,
  languageManifestJsonSchema,
  loadLanguageManifest,
  parseLanguageManifest,
  renderPrompt,
  resolveLanguagePaths,
} from './manifest.js';
export type { LanguageBackendName, LanguageModelManifest, LanguageModelManifestInput } from './manifest.js';
export { Tokenizer } from './tokenizer.js';
export type { TokenizerInfo } from './tokenizer.js';
export { loadTokenizerFile } from './onnx-lm.js';
export { OnnxDecoder } from './onnx-decoder.js';
export type { OnnxDecoderOptions, OnnxDecoderShape } from './onnx-decoder.js';
export { JsonConstraint, feedText } from './json-constraint.js';
export type { ConstraintState } from './json-constraint.js';
export { compileSchema, MAX_FRACTION_DIGITS, MAX_INTEGER_DIGITS } from './json-schema-subset.js';
export type { SchemaNode } from './json-schema-subset.js';
export { TokenTrie } from './token-mask.js';
export type { MaskVocabulary, TokenMask } from './token-mask.js';
export { schemaToGbnf } from './gbnf.js';
export { importNodeLlamaCpp } from './gguf.js';
export { physicalCoreCount } from './cores.js';
export {
  LanguageGenerationError,
  LanguageIntegrityError,
  LanguageLoadError,
  LanguageManifestError,
  LanguageSchemaError,
  VocabMismatchError,
} from './errors.js';
