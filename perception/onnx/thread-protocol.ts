/**
 * Messages between a `ThreadedOnnxRunner` and its inference thread.
 *
 * Plain types, not zod: both ends are this build's code in one process, and
 * messages travel by structured clone, so nothing arrives that the other end
 * did not construct from these types. Tensors travel as transferred
 * ArrayBuffers (moved, not copied); the input buffer comes back with the
 * result so the next frame reuses it.
 */
import type { ProviderFallback, TensorInfo } from '../backend.js';
import type { OnnxSessionOptions, OpenFailure } from './open-session.js';

export type ThreadSessionOptions = Omit<OnnxSessionOptions, 'logger'>;

export type ToThread =
  | { readonly type: 'load'; readonly model: Uint8Array; readonly options: ThreadSessionOptions }
  | {
      readonly type: 'run';
      readonly id: number;
      readonly inputName: string;
      readonly input: Float32Array;
      readonly dims: readonly number[];
    }
  | { readonly type: 'dispose' };

export interface ThreadOutput {
  readonly name: string;
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

export type FromThread =
  | {
      readonly type: 'log';
      readonly level: 'info' | 'warn';
      readonly obj: Record<string, unknown>;
      readonly msg: string;
    }
  | {
      readonly type: 'loaded';
      readonly activeProvider: string;
      readonly fallbacks: readonly ProviderFallback[];
      readonly inputs: readonly TensorInfo[];
      readonly outputs: readonly TensorInfo[];
    }
  | ({ readonly type: 'load_failed' } & OpenFailure)
  | {
      readonly type: 'result';
      readonly id: number;
      readonly outputs: readonly ThreadOutput[];
      readonly input: Float32Array;
    }
  | { readonly type: 'run_failed'; readonly id: number; readonly message: string; readonly input: Float32Array }
  | { readonly type: 'disposed' };
