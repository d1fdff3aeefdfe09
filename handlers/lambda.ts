import './v8-settings.ts';
import { createLambdaHandler } from './lambda-handler.ts';

/*
 * The Lambda entry point (bundled to dist/lambda/index.mjs). Set-up starts
 * while the module loads, in Lambda's init phase; a failure there is logged
 * and retried by the first invocation, which then reports it.
 */
export const handler = createLambdaHandler(process.env);

handler.warm().catch((err: unknown) => {
  process.stderr.write(`contactfolio: initialisation failed: ${err instanceof Error ? err.message : String(err)}\n`);
});
