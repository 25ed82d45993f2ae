export * from './geometry.js';
export * from './sensors.js';
export * from './perception.js';
export * from './topics.js';
export * from './actions.js';
export * from './operator.js';
