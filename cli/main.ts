#!/usr/bin/env -S node --single-threaded-gc
// --single-threaded-gc: V8 collects on the main thread alone. With its helper
// threads on a small CPU (the 2-core dev machine), a collection's final pause
// waited for helpers that onnxruntime's threads had crowded out. Over 120 s of
// the default mission in real time: GC pauses up to 12-16 ms and per-frame
// inference p99 17-18 ms with helpers, under 6 ms and 11.5-12.5 ms without.
// The flag must be on the command line (V8 aborts if it is set at run time);
// `node dist/cli/main.js` runs without it.
import { processIo } from './io.js';
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv.slice(2), processIo);
