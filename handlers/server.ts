import './v8-settings.ts';
import type { AddressInfo } from 'node:net';
import { createApp } from '../app/create-app.ts';
import { createHttpServer } from '../app/http/node-server.ts';
import { ConfigError } from '../app/config/schema.ts';
import { SecretError } from '../app/config/secrets.ts';
import { createLogger, loadConfig, startRuntime } from './bootstrap.ts';

/*
 * The container entry point: listen on PORT, and on SIGTERM (ECS stop) stop
 * accepting, let in-flight requests finish, close the pools and exit well
 * inside ECS's 30 s stop timeout.
 */

const SHUTDOWN_GRACE_MS = 20_000;

async function main(): Promise<void> {
  let config;
  try {
    config = await loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof SecretError) {
      process.stderr.write(`contactfolio: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const logger = createLogger(config.logLevel, { buffered: true });
  const started = Date.now();
  const runtime = await startRuntime(config, logger);
  const server = createHttpServer(createApp(runtime.deps));

  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  const { port } = server.address() as AddressInfo;
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  logger.info({ port, ms: Date.now() - started }, `contactfolio listening on http://${shown}:${port}`);
  logger.flush();

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.warn('grace period over: closing remaining connections');
      server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    // Keep-alive connections go idle as their last response finishes; close
    // them as they do, so the drain ends when the last request does.
    const drain = setInterval(() => server.closeIdleConnections(), 100);
    server.close(async () => {
      clearTimeout(force);
      clearInterval(drain);
      await runtime.close();
      logger.info('stopped');
      logger.flush(() => process.exit(0));
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`contactfolio failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
