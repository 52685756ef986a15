/** deliver-firehose Lambda entry: config is read and validated at cold start (INIT). */
import { createFirehoseHandler } from './app.js';

const handler = createFirehoseHandler(process.env);

export { handler };
