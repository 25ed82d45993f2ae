import type { Command } from 'commander';
import { bagInfoToJson, hasBuiltinDefinition, openBag, type BagInfoJson } from '../../hardware/index.js';
import { EXIT, type CliIo } from '../io.js';

/** `kestrel bag info <bag> [--json]`: topics, types, counts and time span of a rosbag2 file. */
export function registerBag(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const bag = program.command('bag').description('inspect rosbag2 files (.mcap, .db3)');
  bag
    .command('info')
    .description('list topics, message types, counts and the time span of a rosbag2 bag')
    .argument('<bag>', 'an .mcap or .db3 file, or a bag folder holding one')
    .option('--json', 'print one JSON object')
    .action(async (path: string, opts: { json?: boolean }) => {
      const reader = await openBag(path);
      let info: BagInfoJson;
      try {
        info = bagInfoToJson(reader.info, hasBuiltinDefinition);
      } finally {
        await reader.close();
      }
      io.out(opts.json === true ? `${JSON.stringify({ ok: true, ...info })}\n` : renderInfo(info));
      setExit(EXIT.ok);
    });
}

function renderInfo(info: BagInfoJson): string {
  const lines = [
    `bag:         ${info.path}`,
    `storage:     ${info.storage}${info.compression.length > 0 ? ` (${info.compression.join(', ')} chunks)` : ''}`,
    `messages:    ${info.messageCount}`,
    `start:       ${info.startIso ?? '-'}${info.startTimeNs === null ? '' : `  (${nsToSeconds(info.startTimeNs)} s)`}`,
    `end:         ${info.endIso ?? '-'}${info.endTimeNs === null ? '' : `  (${nsToSeconds(info.endTimeNs)} s)`}`,
    `duration:    ${info.durationS.toFixed(3)} s`,
    ...(info.recording === null ? [] : [`recorded:    ${info.recording.durationS.toFixed(3)} s by kestrel run`]),
    `topics:      ${info.topics.length}`,
  ];
  const nameW = Math.max(5, ...info.topics.map((t) => t.name.length));
  const typeW = Math.max(4, ...info.topics.map((t) => t.type.length));
  const countW = Math.max(5, ...info.topics.map((t) => String(t.messageCount).length));
  lines.push(`  ${'topic'.padEnd(nameW)}  ${'type'.padEnd(typeW)}  ${'count'.padStart(countW)}  format  definition`);
  for (const t of info.topics) {
    lines.push(
      `  ${t.name.padEnd(nameW)}  ${t.type.padEnd(typeW)}  ${String(t.messageCount).padStart(countW)}  ${t.serializationFormat.padEnd(6)}  ${t.definition}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** `1585866235112411371` as `1585866235.112411371`, exact (no double rounding). */
function nsToSeconds(ns: string): string {
  const padded = ns.padStart(10, '0');
  return `${padded.slice(0, -9)}.${padded.slice(-9)}`;
}
