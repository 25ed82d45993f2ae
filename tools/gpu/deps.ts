// What llm-gpu.ts needs from Kestrel, gathered so the bundle pulls in only these.
export { loadLanguageModel } from '../../language/index.js';
export type { LanguageModel } from '../../language/index.js';
export { sha256File } from '../../perception/index.js';
