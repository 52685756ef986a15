/** evaluate-alerts Lambda entry: rules and config are read and validated at cold start (INIT). */
import { createEvaluateAlertsHandler } from './app.js';

const handler = createEvaluateAlertsHandler(process.env);

export { handler };
