export * from './errors.js';
export * from './clock.js';
export * from './random.js';
export * from './units.js';
export * from './pagination.js';
export * from './deadline.js';
export * from './batcher.js';
