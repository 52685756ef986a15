/** Metric names: moved to the contracts module (shared/contracts/index.ts). */
export { METRIC } from '../contracts/index.js';
