/** The RADIUS codec: pure functions over Buffers (no I/O, no domain). */
export * from './dictionary.js';
export * from './packet.js';
export * from './crypto.js';
export * from './encode.js';
