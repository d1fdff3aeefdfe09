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
    res.status(ok ? 200 : 503).setHeader('Cache-Control', 'no-store').json(body);
  };
}
