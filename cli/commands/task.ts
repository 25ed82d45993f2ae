import { Option, type Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { loadMissionFile } from '../../missions/index.js';
import { createLogger, type LogLevel } from '../../runtime/index.js';
import {
  TaskingPlanner,
  evaluateTasking,
  homeStart,
  loadTaskingModel,
  readTaskingExamples,
  type TaskingAnswer,
  type TaskingEvalReport,
} from '../../tasking/index.js';
import { EXIT, type CliIo } from '../io.js';
import { progressStream } from '../progress-stream.js';

const logLevelOption = (): Option =>
  new Option('-l, --log-level <level>', 'log level')
    .choices(['trace', 'debug', 'info', 'warn', 'error', 'silent'])
    .default('warn');

/**
 * `kestrel task --mission <file> "<request>"`: the mission's language model
 * writes a plan, the mission resolves its names and the guard judges it,
 * without moving anything. Exit 0 when the plan could run, 1 otherwise.
 */
export function registerTask(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('task')
    .description(
      "turn an operator's words into a plan with the mission's language model, and dry-run it through the guard",
    )
    .argument('<request>', 'what the operator says, e.g. "search the east sector for fires at 40 metres"')
    .requiredOption('--mission <file>', 'mission file with a tasking block')
    .option('-m, --model <file>', "language model manifest (or .gguf / .onnx file) instead of the mission's")
    .option('--json', 'print the whole answer as one JSON object')
    .addOption(logLevelOption())
    .action(async (request: string, opts: { mission: string; model?: string; json?: boolean; logLevel: LogLevel }) => {
      const logger = createLogger({ level: opts.logLevel });
      const { mission, baseDir } = await loadMissionFile(opts.mission);
      const model = await loadTaskingModel(mission, baseDir, logger, opts.model);
      try {
        const planner = new TaskingPlanner({ mission, model, logger });
        const answer = await planner.plan(request, homeStart(mission), Date.now());
        if (opts.json === true) io.out(`${JSON.stringify({ ok: answer.status === 'proposed', answer })}\n`);
        else printAnswer(io, answer);
        setExit(answer.status === 'proposed' ? EXIT.ok : EXIT.failed);
      } finally {
        await model.close();
      }
    });

  program
    .command('eval-tasking')
    .description(
      'score a language model on labelled requests: exact plans, per-field accuracy, invalid outputs, latency',
    )
    .requiredOption('-m, --model <file>', 'language model manifest (or .gguf / .onnx file)')
    .requiredOption('--mission <file>', 'mission whose zones and guard the plans are checked against')
    .requiredOption('-d, --data <file>', 'JSONL of {"request": ..., "plan": {...}}')
    .option('--json', 'print one JSON object with every metric')
    .option('--failures <n>', 'print at most N wrong plans', '10')
    .option(
      '--no-grounding',
      "score the model alone: the plain plan schema, numbers and places not held to the request's",
    )
    .addOption(logLevelOption())
    .action(
      async (opts: {
        model: string;
        mission: string;
        data: string;
        json?: boolean;
        failures: string;
        grounding: boolean;
        logLevel: LogLevel;
      }) => {
        const logger = createLogger({ level: opts.logLevel });
        const { mission, baseDir } = await loadMissionFile(opts.mission);
        const examples = await readTaskingExamples(opts.data);
        const model = await loadTaskingModel(mission, baseDir, logger, opts.model);
        const bar = new SingleBar({
          stream: progressStream(io),
          format: 'evaluating [{bar}] {percentage}% | {value}/{total} requests | eta {eta_formatted}',
          hideCursor: io.interactive,
        });
        try {
          const planner = new TaskingPlanner({ mission, model, logger, grounding: opts.grounding });
          if (opts.json !== true) bar.start(examples.length, 0);
          const report = await evaluateTasking(planner, examples, homeStart(mission), Date.now(), (done) => {
            if (opts.json !== true) bar.update(done);
          });
          if (opts.json !== true) bar.stop();
          const info = {
            backend: model.info.backend,
            device: model.info.device,
            path: model.info.path,
            sha256: model.info.sha256,
          };
          if (opts.json === true)
            io.out(
              `${JSON.stringify({ ok: true, model: info, data: opts.data, grounding: opts.grounding, report })}\n`,
            );
          else printReport(io, report, info, Number(opts.failures));
          setExit(EXIT.ok);
        } finally {
          await model.close();
        }
      },
    );
}

function printAnswer(io: CliIo, a: TaskingAnswer): void {
  io.out(`request: ${JSON.stringify(a.request)}\n`);
  if (a.latency !== undefined) {
    const l = a.latency;
    io.out(
      `model:   ${a.model.backend} on ${a.model.device}, ${l.modelMs.toFixed(0)} ms, ${l.tokens} tokens (${l.tokensPerSecond.toFixed(0)} tok/s)\n`,
    );
  }
  if (a.output !== undefined) io.out(`output:  ${a.output}\n`);
  for (const r of a.rejections) io.out(`  ${r.field}: ${r.reason}\n`);
  if (a.guard !== undefined) {
    io.out(`guard:   ${a.guard.verdict}\n`);
    // Steps with the same verdict and reason print as one line: a denied sweep is one reason, not twelve.
    const groups: { verdict: string; reason: string; steps: string[] }[] = [];
    for (const s of a.guard.steps) {
      const reason = s.verdict === 'allow' ? '' : `: ${s.reason} [${s.ruleId}]`;
      const last = groups.at(-1);
      if (last !== undefined && last.verdict === s.verdict && last.reason === reason) last.steps.push(s.step);
      else groups.push({ verdict: s.verdict, reason, steps: [s.step] });
    }
    for (const g of groups) {
      const mark = g.verdict === 'allow' ? 'ok' : g.verdict;
      const what = g.steps.length === 1 ? g.steps[0] : `${g.steps[0]} .. ${g.steps.at(-1)} (${g.steps.length} steps)`;
      io.out(`  ${mark.padEnd(6)} ${what}${g.reason}\n`);
    }
  }
  io.out(`${a.summary}\n`);
}

function printReport(
  io: CliIo,
  r: TaskingEvalReport,
  model: { backend: string; device: string; path: string },
  maxFailures: number,
): void {
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  io.out(`model ${model.path} (${model.backend} on ${model.device}), ${r.examples} requests\n`);
  io.out(`exact plans      ${pct(r.exactPlanAccuracy)}\n`);
  io.out(`invalid outputs  ${r.invalidOutputs} (${pct(r.invalidOutputRate)})\n`);
  io.out(`rejected         ${r.rejected} (unknown names or denied by the guard)\n`);
  io.out(
    `latency          p50 ${r.latencyMs.p50.toFixed(0)} ms, p99 ${r.latencyMs.p99.toFixed(0)} ms (model p50 ${r.modelLatencyMs.p50.toFixed(0)} ms)\n`,
  );
  io.out(`tokens/s         ${r.tokensPerSecond.toFixed(0)}\n`);
  io.out('per field:\n');
  for (const [k, v] of Object.entries(r.fieldAccuracy)) io.out(`  ${k.padEnd(14)} ${pct(v)}\n`);
  const shown = r.failures.slice(0, Math.max(0, maxFailures));
  if (shown.length > 0) io.out(`wrong plans (${shown.length} of ${r.failures.length}):\n`);
  for (const f of shown)
    io.out(`  ${JSON.stringify(f.request)}\n    expected ${f.expected}\n    got      ${f.got} [${f.status}]\n`);
}
