import { mkdirSync, openSync, writeSync, fsyncSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { reliable } from '../bus/policy.js';
import type { MessageBus, Subscription } from '../bus/bus.js';
import type { Topic } from '../bus/topic.js';
import type { Component, ComponentContext } from '../component.js';
import { decisionsTopic } from '../messages/actions.js';
import { eventsTopic, healthTopic } from '../messages/topics.js';

/**
 * Writes what an operator will want after a run (events, guard decisions,
 * health changes) as JSON lines in the run folder. Reliable subscriptions, and
 * it runs as an observer: it starts first and stops last,
 * so the record is complete; the file is fsynced when the runtime stops.
 */
export class RunRecorder implements Component {
  readonly name = 'run-recorder';
  // Flushing a long run's tail can take a moment on a slow SD card.
  readonly stopTimeoutMs = 10_000;
  private fd: number | undefined;
  private bus: MessageBus | undefined;
  private readonly subs: Subscription[] = [];
  private lines = 0;

  constructor(readonly dir: string) {}

  configure(): void {
    mkdirSync(this.dir, { recursive: true });
    this.fd = openSync(join(this.dir, 'events.jsonl'), 'a');
  }

  start(ctx: ComponentContext): void {
    this.bus = ctx.bus;
    const record = <T>(topic: Topic<T>): void => {
      this.subs.push(
        ctx.bus.subscribe(topic, (m) => this.write({ topic: m.topic, stampMs: m.stampMs, seq: m.seq, data: m.data }), {
          policy: reliable(),
          subscriber: this.name,
        }),
      );
    };
    record(eventsTopic);
    record(decisionsTopic);
    record(healthTopic);
  }

  async stop(): Promise<void> {
    // Everything published so far (the other components have stopped) reaches the file first.
    await this.bus?.drain();
    for (const s of this.subs) s.unsubscribe();
    if (this.fd !== undefined) {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = undefined;
    }
  }

  get recorded(): number {
    return this.lines;
  }

  private write(record: unknown): void {
    if (this.fd === undefined) return;
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
    this.lines++;
  }
}
