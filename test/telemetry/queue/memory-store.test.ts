import { MemoryQueueStore } from '../../../telemetry/index.js';
import { queueContract } from '../queue-contract.js';

queueContract('MemoryQueueStore', { create: (maxBytes) => new MemoryQueueStore({ maxBytes }) });
