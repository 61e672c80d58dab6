export { seedDemo, DEMO } from './seed.js';
