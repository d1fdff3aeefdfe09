import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERRORS, type ErrorCode } from '../../app/http/errors.ts';
import { HttpProblem } from '../../app/http/problem.ts';
import { buildOpenApiDocument } from '../../app/openapi/document.ts';
import { ROOT } from '../support/process.ts';

const sources = (dir: string): string[] =>
  readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !e.name.includes('.test.') && !e.parentPath.includes('generated'))
    .map((e) => readFileSync(path.join(e.parentPath, e.name), 'utf8'));

describe('the error registry', () => {
  it('a problem takes its status and title from its code', () => {
    const p = new HttpProblem('email_taken', 'taken', { errors: [{ path: 'email', message: 'is already registered' }] });
    expect([p.status, p.code, p.message, p.errors]).toEqual([
      409,
      'email_taken',
      'taken',
      [{ path: 'email', message: 'is already registered' }],
    ]);
  });

  it('every code under a status in the OpenAPI document has that status in the registry', () => {
    const doc = buildOpenApiDocument('test') as unknown as {
      paths: Record<string, Record<string, { responses: Record<string, { description?: string }> }>>;
    };
    const seen = new Set<string>();
    for (const [route, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const [status, response] of Object.entries(op.responses)) {
          for (const [, code] of (response.description ?? '').matchAll(/`([a-z0-9_]+)`: /g)) {
            seen.add(code!);
            expect(ERRORS[code as ErrorCode]?.status, `${method.toUpperCase()} ${route} ${status}: ${code}`).toBe(Number(status));
          }
        }
      }
    }
    expect(seen.size).toBeGreaterThan(15);
  });

  it('every code the registry lists is raised somewhere in the app, and no other is', () => {
    const app = [...sources('app'), ...sources('handlers')].join('\n');
    const raised = new Set([...app.matchAll(/new HttpProblem\(\s*'([a-z0-9_]+)'/g)].map((m) => m[1]));
    // DependencyUnavailable becomes `${dependency}_unavailable` in the error handler.
    for (const d of app.matchAll(/new DependencyUnavailable\('([a-z]+)'/g)) raised.add(`${d[1]}_unavailable`);
    expect([...raised].sort()).toEqual(Object.keys(ERRORS).sort());
  });

  it('the web app has a sentence for the codes a person can meet, keyed by the registry', () => {
    const messages = readFileSync(path.join(ROOT, 'web/src/messages.ts'), 'utf8');
    for (const code of [
      'invalid_credentials',
      'email_taken',
      'user_limit_reached',
      'too_many_attempts',
      'contact_limit_reached',
      'wrong_password',
    ] satisfies ErrorCode[]) {
      expect(messages).toContain(`'${code}'`);
    }
    // A code the registry does not know does not compile there (ErrorCode), so a rename cannot leave a dead message.
    expect(messages).toMatch(/ErrorCode/);
  });
});
