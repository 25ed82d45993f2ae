import { MessageReader } from '@foxglove/rosmsg2-serialization';
import { BagError } from './errors.js';
import { definitionsFor } from './message-definitions.js';
import type { BagSchema } from './types.js';

/**
 * Decodes one CDR message into a plain object with ROS field names
 * (`header.stamp.sec`, `linear_acceleration.x`). Primitive arrays come back as
 * typed arrays; `uint8[]` (image pixels) is a view into `data`, not a copy.
 */
export type CdrDecode = (data: Uint8Array) => Record<string, unknown>;

export interface DecoderSpec {
  readonly type: string;
  readonly serializationFormat: string;
  readonly schema?: BagSchema;
}

/** A decoder for one message type: parses the definition once, reuses the reader for every message. */
export function createCdrDecoder(spec: DecoderSpec): CdrDecode {
  if (spec.serializationFormat !== 'cdr') {
    throw new BagError(
      'bag.unsupported_encoding',
      `${spec.type} is serialized as "${spec.serializationFormat}"; Kestrel reads cdr (ROS 2) only`,
    );
  }
  const reader = new MessageReader(definitionsFor(spec.type, spec.schema));
  return (data) => {
    try {
      return reader.readMessage<Record<string, unknown>>(data);
    } catch (error) {
      throw new BagError(
        'bag.decode_failed',
        `a ${spec.type} message (${data.byteLength} bytes) does not decode: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  };
}

/** Decoders by type name, built on first use. */
export class DecoderCache {
  private readonly decoders = new Map<string, CdrDecode>();

  get(spec: DecoderSpec): CdrDecode {
    let decode = this.decoders.get(spec.type);
    if (decode === undefined) {
      decode = createCdrDecoder(spec);
      this.decoders.set(spec.type, decode);
    }
    return decode;
  }
}
