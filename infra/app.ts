/**
 * CDK app entry (`cdk.json`: `npx tsx infra/app.ts`). Deploy with
 * `npx cdk deploy -c config=examples/<file>.json`; see docs/deploy.md.
 *
 * A config problem ends the synth with every issue, each naming its field, and nothing else.
 */
import { App } from 'aws-cdk-lib';
import { ConfigValidationError } from './config/errors.js';
import { buildFromContext } from './relay-app.js';

const app = new App();
try {
  buildFromContext(app);
} catch (e) {
  if (e instanceof ConfigValidationError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
  throw e;
}
app.synth();
