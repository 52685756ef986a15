/**
 * cdk-nag wiring: the AwsSolutions and Serverless packs run on every synth (errors fail it), and
 * every finding a construct accepts is acknowledged where the resource is made, with its reason.
 * @see https://github.com/cdklabs/cdk-nag (v3: `Validations.of(x).acknowledge`)
 */
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** Run both rule packs over the app. */
function addNagPacks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
}

/** Acknowledge one finding on `scope` and everything under it; the reason must say why it is fine. */
function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

export { acknowledge, addNagPacks };
