/** deliver-syslog Lambda entry: config (and the collector CA file) is loaded at cold start (INIT). */
import { createSyslogHandler } from './app.js';

const handler = createSyslogHandler(process.env);

export { handler };
