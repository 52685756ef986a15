/**
 * evaluate-alerts Lambda entry: rules and config are read and validated, and the identity key read
 * from Secrets Manager, at cold start (INIT; ES module top-level await).
 */
import { createEvaluateAlertsHandler } from './app.js';

const handler = await createEvaluateAlertsHandler(process.env);

export { handler };
