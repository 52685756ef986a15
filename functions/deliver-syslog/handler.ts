/** deliver-syslog Lambda entry: config (and the CA from SSM) is loaded at cold start (INIT). */
import { createSyslogHandler } from './app.js';

const handler = await createSyslogHandler(process.env);

export { handler };
