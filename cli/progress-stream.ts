import type { CliIo } from './io.js';

/** A writable that feeds cli-progress through the CLI's stderr, so tests capture it like any other output. */
export function progressStream(io: CliIo): NodeJS.WritableStream {
  const stream = {
    isTTY: io.interactive,
    columns: process.stderr.columns,
    write: (chunk: string | Uint8Array): boolean => {
      io.err(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    },
  };
  return stream as unknown as NodeJS.WritableStream;
}
