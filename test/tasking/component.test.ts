import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMission } from '../../missions/index.js';
import {
  createLogger,
  createRuntime,
  eventsTopic,
  operatorTopic,
  type Component,
  type KestrelPlugin,
  type OperatorMessage,
  type RuntimeEvent,
} from '../../runtime/index.js';
import { taskingPlugin, type TaskingAnswer } from '../../tasking/index.js';

const root = path.resolve(import.meta.dirname, '../..');

// A mission with Kestrel's tuned tasking model; the robot parts are inert stand-ins (tasking talks to them only over the bus).
const mission = parseMission(
  `
apiVersion: kestrel/v1
mission: { id: tasking-test, version: 1.0.0 }
platform: { kind: multirotor, id: t1, maxSpeedMps: 15 }
guardrails:
  geofence: [[[-20, -20], [420, -20], [420, 320], [-20, 320]]]
  altitude: { minM: 15, maxM: 80 }
  battery: { returnHomePct: 30, landPct: 15 }
zones:
  - { name: east sector, polygon: [[200, 0], [400, 0], [400, 230], [200, 230]] }
models:
  - { id: tasker, manifest: ${path.join(root, 'models/kestrel-tasking.yaml')} }
tasking: { model: tasker }
behavior: { kind: hold }
actuator: { kind: log }
`,
  { file: 'tasking-test.yaml' },
);

const inert = (name: string): Component => ({ name, start: () => undefined, stop: () => undefined });
const robot: KestrelPlugin = {
  name: 'inert-robot',
  behaviors: { hold: () => inert('behavior') },
  guard: () => inert('guard'),
  actuators: { log: () => inert('actuator') },
};

function next<T>(predicate: (e: T) => boolean, sink: T[], timeoutMs = 20_000): Promise<T> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      const hit = sink.find(predicate);
      if (hit !== undefined) resolve(hit);
      else if (Date.now() - t0 > timeoutMs) reject(new Error('timed out waiting for a message'));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

function say(commandId: string, command: OperatorMessage['command']): OperatorMessage {
  return { operator: 'alice', commandId, command };
}

describe('tasking component in a runtime', () => {
  it('answers a request, waits for confirmation, then hands a retask to the behavior; a denial changes nothing', async () => {
    const rt = createRuntime(mission, { plugins: [robot, taskingPlugin], logger: createLogger({ level: 'silent' }) });
    const events: RuntimeEvent[] = [];
    const operator: OperatorMessage[] = [];
    rt.bus.subscribe(eventsTopic, (m) => void events.push(m.data), { subscriber: 'test' });
    rt.bus.subscribe(operatorTopic, (m) => void operator.push(m.data), { subscriber: 'test' });
    await rt.start();
    try {
      rt.bus.publish(operatorTopic, say('c1', { kind: 'task', request: 'hold position' }));
      const answered = await next((e) => e.kind === 'tasking.answer', events);
      const answer = answered.data?.answer as TaskingAnswer;
      expect(answer.status).toBe('proposed');
      expect(answer.plan).toEqual({ behavior: 'hold' });
      expect(answer.needsConfirmation).toBe(true);
      // Nothing takes effect before an operator confirms.
      expect(operator.some((m) => m.command.kind === 'retask')).toBe(false);

      rt.bus.publish(operatorTopic, say('c2', { kind: 'confirm', proposalId: answer.planId }));
      const retask = await next((m) => m.command.kind === 'retask', operator);
      expect(retask).toMatchObject({
        operator: 'alice',
        command: { kind: 'retask', retask: { planId: answer.planId, behavior: 'hold' } },
      });

      // A second request denied by the operator never becomes a retask.
      rt.bus.publish(operatorTopic, say('c3', { kind: 'task', request: 'come home' }));
      const second = await next(
        (e) => e.kind === 'tasking.answer' && (e.data?.answer as TaskingAnswer).planId !== answer.planId,
        events,
      );
      const planId = (second.data?.answer as TaskingAnswer).planId;
      rt.bus.publish(operatorTopic, say('c4', { kind: 'deny', proposalId: planId }));
      await next((e) => e.kind === 'tasking.denied', events);
      expect(operator.filter((m) => m.command.kind === 'retask')).toHaveLength(1);
    } finally {
      await rt.stop('test over');
    }
  }, 60_000);

  it('EXPECTED FAILURE - an over-long request over the bus is refused with a reason and changes nothing', async () => {
    const rt = createRuntime(mission, { plugins: [robot, taskingPlugin], logger: createLogger({ level: 'silent' }) });
    const events: RuntimeEvent[] = [];
    rt.bus.subscribe(eventsTopic, (m) => void events.push(m.data), { subscriber: 'test' });
    await rt.start();
    try {
      rt.bus.publish(operatorTopic, say('c1', { kind: 'task', request: 'search '.repeat(80) }));
      const answered = await next((e) => e.kind === 'tasking.answer', events);
      expect(answered.severity).toBe('warning');
      expect((answered.data?.answer as TaskingAnswer).status).toBe('refused');
    } finally {
      await rt.stop('test over');
    }
  }, 60_000);
});
