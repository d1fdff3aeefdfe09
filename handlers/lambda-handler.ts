import type { Context } from 'aws-lambda';
import { createApp } from '../app/create-app.ts';
import { loadOnce } from '../app/load-once.ts';
import { createLogger, loadConfig, startRuntime, type Runtime } from './bootstrap.ts';
import { migrateConfiguredDatabase } from './migrate-database.ts';
import { wrapHttp, type HttpEvent, type HttpHandler, type Result } from './serverless-adapter.ts';

/*
 * The Lambda handler: HTTP events to the Express app (serverless-adapter.ts),
 * the `migrate` action to the migration runner. Set-up happens once per
 * execution environment; the pool has one connection.
 */

/** A direct invocation (CLI, CDK trigger) rather than HTTP. */
export interface MigrateEvent {
  action: 'migrate';
}
export type LambdaEvent = HttpEvent | MigrateEvent;

export interface LambdaHandler {
  (event: LambdaEvent, context: Partial<Context>): Promise<Result>;
  /** Starts set-up now (during the Lambda init phase) instead of at the first event. */
  warm(): Promise<void>;
  /** Tests only: closes the pool and Redis. */
  close(): Promise<void>;
}

export function createLambdaHandler(env: NodeJS.ProcessEnv): LambdaHandler {
  // Once per execution environment; a failed set-up is retried by the next
  // invocation (a secret may have been fixed).
  const init = loadOnce(async (): Promise<{ runtime: Runtime; http: HttpHandler }> => {
    // API Gateway, the ALB and Function URLs are one proxy hop in front.
    const config = await loadConfig({ TRUST_PROXY: '1', ...env });
    const logger = createLogger(config.logLevel);
    const runtime = await startRuntime(config, logger, { poolMax: 1, lazyOrm: true });
    return { runtime, http: wrapHttp(createApp(runtime.deps), env.BASE_PATH) };
  });

  const handler = async (event: LambdaEvent, context: Partial<Context>): Promise<Result> => {
    if ('action' in event) {
      if (event.action !== 'migrate') throw new Error(`Unknown action ${JSON.stringify(event.action)}`);
      return { ...(await migrateConfiguredDatabase(env)) };
    }
    const { http } = await init();
    return http(event, context);
  };

  return Object.assign(handler, {
    async warm() {
      await init();
    },
    async close() {
      const started = init.started();
      if (started) await (await started).runtime.close();
      init.reset();
    },
  });
}
