/** Environment variable names: moved to the contracts module (shared/contracts/index.ts). */
export { ENV } from '../contracts/index.js';
