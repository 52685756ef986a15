/** normalize Lambda entry: config is read and validated at cold start (INIT). */
import { createNormalizeHandler } from './app.js';

const handler = createNormalizeHandler(process.env);

export { handler };
