export * from './errors.js';
export * from './clock.js';
export * from './random.js';
export * from './units.js';
export * from './pagination.js';
export * from './deadline.js';
export * from './plural.js';
export * from './names.js';
