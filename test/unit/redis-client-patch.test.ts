import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { createRedisClient } from '../../app/sessions/redis-client.ts';

/*
 * patches/@redis+client+*.patch changes how node-redis attaches its commands
 * to the client class (see patches/README.md). The patch must not change
 * what a client is: every command a method on the prototype, nothing extra.
 */
const require = createRequire(import.meta.url);
const commands = (require('@redis/client/dist/lib/commands/index.js') as { default: Record<string, unknown> }).default;

describe('the patched @redis/client', () => {
  it('is installed with the patch applied', () => {
    const source = readFileSync(require.resolve('@redis/client/dist/lib/commander.js'), 'utf8');
    expect(source).toContain('delete Class.prototype.__setup__');
  });

  it('gives a client every command as a method, and leaves no setup property behind', () => {
    const client = createRedisClient('redis://127.0.0.1:1', () => undefined);
    const names = Object.keys(commands);
    expect(names.length).toBeGreaterThan(500);
    expect(names.filter((name) => typeof (client as unknown as Record<string, unknown>)[name] !== 'function')).toEqual([]);
    expect('__setup__' in client).toBe(false);
    // The Multi class goes through the same attachConfig.
    const multi = client.multi() as unknown as Record<string, unknown>;
    expect(typeof multi.get).toBe('function');
    expect('__setup__' in multi).toBe(false);
  });
});
