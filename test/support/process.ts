import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/** The environment without any of the app's own variables, so each test says what it sets. */
export const CLEAN_ENV = Object.fromEntries(
  Object.entries(process.env).filter(
    ([k]) => !/^(PG|DATABASE_|REDIS_|SESSION_|SECRETS_|NODE_ENV|PORT|HOST|CORS_|MAX_|COOKIE_|AWS_)/.test(k),
  ),
);

export interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

/**
 * Starts `node args...` from the project root and resolves once it prints
 * "listening on http://host:port"; rejects with its output if it exits first.
 */
export function startNode(args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<Started> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...CLEAN_ENV, ...env } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`did not start:\n${out}`)), timeoutMs);
    child.stdout.on('data', () => {
      const m = /listening on (http:\/\/[\w.]+:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          child,
          url: m[1]!,
          output: () => out,
          exited,
          stop: () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`exited before listening:\n${out}`));
    });
  });
}
