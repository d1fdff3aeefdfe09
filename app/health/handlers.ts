import type { RequestHandler } from 'express';
import * as z from '../zod.ts';

const checkState = z.enum(['ok', 'unavailable']);
export const healthSchema = z
  .object({
    status: checkState,
    checks: z.object({ database: checkState, sessions: checkState }),
  })
  .register(z.globalRegistry, { id: 'Health' });

export interface HealthProbes {
  database(): Promise<void>;
  sessions(): Promise<void>;
}

const PROBE_TIMEOUT_MS = 2_000;

async function probe(fn: () => Promise<void>): Promise<'ok' | 'unavailable'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), PROBE_TIMEOUT_MS);
  });
  try {
    await Promise.race([fn(), timeout]);
    return 'ok';
  } catch {
    return 'unavailable';
  } finally {
    clearTimeout(timer);
  }
}

/**
 * GET /health, mounted before the session middleware: ALB probes never
 * create sessions. A handler rather than a Router, which every request would
 * otherwise walk through on its way to the API.
 */
export function healthCheck(probes: HealthProbes): RequestHandler {
  return async (_req, res) => {
    const [database, sessions] = await Promise.all([probe(probes.database), probe(probes.sessions)]);
    const ok = database === 'ok' && sessions === 'ok';
    const body: z.infer<typeof healthSchema> = { status: ok ? 'ok' : 'unavailable', checks: { database, sessions } };
    res
      .status(ok ? 200 : 503)
      .setHeader('Cache-Control', 'no-store')
      .json(body);
  };
}

export const livenessSchema = z.object({ status: z.literal('ok') }).register(z.globalRegistry, { id: 'Liveness' });

/**
 * GET /health/live: this process can serve, whatever its dependencies do.
 * The ALB and the container health checks use it: with the deep /health, an
 * Aurora failover or a Redis maintenance would mark every task unhealthy at
 * once and ECS would replace them all, which fixes nothing. A dependency
 * outage is answered with 503s by each request and reported by /health.
 */
export function livenessCheck(): RequestHandler {
  const body = JSON.stringify({ status: 'ok' } satisfies z.infer<typeof livenessSchema>);
  return (_req, res) => {
    res.status(200).setHeader('Cache-Control', 'no-store').type('application/json').send(body);
  };
}
