import type { KestrelPlugin } from '../runtime/index.js';
import { TaskingComponent } from './component.js';
import { loadTaskingModel } from './model.js';

/** Language tasking for missions with a `tasking` block; nothing for the others. */
export const taskingPlugin: KestrelPlugin = {
  name: 'kestrel-tasking',
  components: (ctx) => {
    const mission = ctx.mission;
    if (mission.tasking === undefined) return [];
    return [
      new TaskingComponent({
        mission,
        loadModel: () => loadTaskingModel(mission, ctx.baseDir, ctx.logger.child({ component: 'tasking-model' })),
      }),
    ];
  },
};
