import {
  KestrelError,
  batteryTopic,
  commandsTopic,
  defineService,
  defineTopic,
  reliable,
  sensorTopic,
  type AssemblyContext,
  type Component,
  type ComponentContext,
  type KestrelPlugin,
  type Subscription,
  type TimerHandle,
  type Topic,
} from '../runtime/index.js';
import type { Actuator, Sensor, Simulation } from '../missions/index.js';
import type { LabelBox } from './render/renderer.js';
import { loadScenario } from './scenario/load.js';
import { SimCamera } from './sensors/camera.js';
import { simLabelLogComponent } from './label-log.js';
import { simLinkComponent } from './link.js';
import { createSimSensor } from './sensors/create.js';
import type { SimSensor } from './sensors/sensor.js';
import { SimWorld, type SimTruth } from './world.js';

/** The running world, for components that need ground truth or to inject events (tests, dataset export). */
export const simWorldService = defineService<SimWorld>('sim.world');

/** Ground truth at 10 Hz of simulated time. */
export const simTruthTopic: Topic<SimTruth> = defineTopic<SimTruth>('sim/truth', 'kestrel/SimTruth');

/** 2D boxes of what a camera frame shows, stamped like the frame. */
export interface SimFrameLabels {
  readonly sensorId: string;
  readonly width: number;
  readonly height: number;
  readonly boxes: readonly LabelBox[];
}

/** `sim/labels/<sensorId>`: the ground-truth boxes of each simulated camera frame. */
export function simLabelsTopic(sensorId: string): Topic<SimFrameLabels> {
  return defineTopic<SimFrameLabels>(`sim/labels/${sensorId}`, 'kestrel/SimFrameLabels');
}

const WORLD = 'sim-world';
const TRUTH_PERIOD_MS = 100;

function requireWorld(ctx: ComponentContext): SimWorld {
  return ctx.services.get(simWorldService);
}

/**
 * `sim-world`: loads the scenario, builds the vehicle from the mission's
 * platform and steps physics every `stepMs` of the runtime clock.
 */
export function simWorldComponent(simulation: Simulation, asm: AssemblyContext): Component {
  let timer: TimerHandle | undefined;
  let world: SimWorld | undefined;
  return {
    name: WORLD,
    async configure(ctx) {
      const scenario = await loadScenario(simulation.scenario, asm.baseDir);
      const origin = asm.mission.origin;
      world = new SimWorld({
        scenario,
        platform: asm.mission.platform,
        seed: simulation.seed,
        ...(origin === undefined ? {} : { origin }),
      });
      ctx.services.provide(simWorldService, world);
      ctx.logger.info(
        { scenario: scenario.name, seed: simulation.seed, stepMs: simulation.stepMs },
        'simulated world ready',
      );
    },
    start(ctx) {
      const w = world;
      if (w === undefined) throw new KestrelError('sim.not_configured', 'sim-world started before it was configured');
      const stepMs = simulation.stepMs;
      const truthEvery = Math.max(1, Math.round(TRUTH_PERIOD_MS / stepMs));
      let steps = 0;
      timer = ctx.clock.setInterval(() => {
        w.step(stepMs);
        if (++steps % truthEvery === 0 && !ctx.bus.isClosed) ctx.bus.publish(simTruthTopic, w.truth());
      }, stepMs);
    },
    stop() {
      timer?.cancel();
      timer = undefined;
    },
  };
}

/**
 * One component per simulated sensor (`sim-<id>`): samples the world at
 * `rateHz` and publishes on `sensors/<id>`, stamped with the measurement time
 * and delivered after the sensor's latency. Battery monitors also publish
 * `state/battery`; cameras also publish their ground-truth boxes.
 */
export function simSensorComponent(sensor: Sensor, _asm: AssemblyContext): Component {
  let model: SimSensor | undefined;
  let timer: TimerHandle | undefined;
  let running = false;
  return {
    name: `sim-${sensor.id}`,
    dependsOn: [WORLD],
    configure(ctx) {
      model = createSimSensor(sensor, requireWorld(ctx));
    },
    start(ctx) {
      const world = requireWorld(ctx);
      const m = model;
      if (m === undefined)
        throw new KestrelError('sim.not_configured', `sim-${sensor.id} started before it was configured`);
      const topic = sensorTopic(sensor.type, sensor.id) as Topic<unknown>;
      const labels = m instanceof SimCamera ? simLabelsTopic(sensor.id) : undefined;
      const isBattery = sensor.type === 'battery';
      running = true;
      const tick = (): void => {
        const stampMs = ctx.clock.nowMs();
        const data = m.sample(world);
        if (data === undefined) return;
        const boxes = m instanceof SimCamera ? m.lastBoxes : undefined;
        const deliver = (): void => {
          if (!running || ctx.bus.isClosed) return;
          ctx.bus.publish(topic, data, stampMs);
          if (isBattery) ctx.bus.publish(batteryTopic, data as never, stampMs);
          if (labels !== undefined && boxes !== undefined && 'width' in data) {
            ctx.bus.publish(labels, { sensorId: sensor.id, width: data.width, height: data.height, boxes }, stampMs);
          }
        };
        if (m.latencyMs > 0) ctx.clock.setTimeout(deliver, m.latencyMs);
        else deliver();
      };
      timer = ctx.clock.setInterval(tick, 1000 / sensor.rateHz);
    },
    stop() {
      running = false;
      timer?.cancel();
      timer = undefined;
    },
  };
}

/** `sim-actuator`: hands every approved command to the simulated vehicle, never dropping one. */
export function simActuatorComponent(_actuator: Actuator, _asm: AssemblyContext): Component {
  let sub: Subscription | undefined;
  return {
    name: 'sim-actuator',
    dependsOn: [WORLD],
    start(ctx) {
      const world = requireWorld(ctx);
      const warned = new Set<string>();
      sub = ctx.bus.subscribe(
        commandsTopic,
        (env) => {
          const action = env.data.action;
          if ((action.kind === 'gimbal' || action.kind === 'custom') && !warned.has(action.kind)) {
            warned.add(action.kind);
            ctx.logger.warn({ action: action.kind }, 'the simulated vehicle ignores this action');
          }
          world.apply(action);
        },
        { policy: reliable(), subscriber: 'sim-actuator' },
      );
    },
    stop() {
      sub?.unsubscribe();
      sub = undefined;
    },
  };
}

/**
 * The simulated world and its ground-station link (`sim-link`: heartbeats on
 * `runtime/link`, cut by the scenario's `link_loss` faults).
 */
export function simulationComponents(simulation: Simulation, asm: AssemblyContext): readonly Component[] {
  const labelLog = simLabelLogComponent(simulation, asm);
  return [
    simWorldComponent(simulation, asm),
    simLinkComponent(requireWorld),
    ...(labelLog === undefined ? [] : [labelLog]),
  ];
}

/**
 * The simulator as a runtime plugin: the world and its ground-station link, a
 * source for every `source: { kind: sim }` sensor, and the `sim` actuator.
 *
 * @example
 * const runtime = createRuntime(loaded, { plugins: [simPlugin, ...others] });
 */
export const simPlugin: KestrelPlugin = {
  name: 'sim',
  simulation: simulationComponents,
  sources: { sim: simSensorComponent },
  actuators: { sim: simActuatorComponent },
};
