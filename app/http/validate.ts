import type * as z from '../zod.ts';
import { HttpProblem, validationProblem } from './problem.ts';

export function parseBody<S extends z.ZodMiniType>(schema: S, body: unknown): z.output<S> {
  if (body === undefined)
    throw new HttpProblem('validation_failed', 'A JSON body is required.', { errors: [{ path: '', message: 'is required' }] });
  const result = schema.safeParse(body);
  if (!result.success) throw validationProblem(result.error);
  return result.data;
}

export function parseQuery<S extends z.ZodMiniType>(schema: S, query: unknown): z.output<S> {
  const result = schema.safeParse(query);
  if (!result.success)
    throw new HttpProblem('invalid_query', 'The query string is not valid.', { errors: validationProblem(result.error).errors });
  return result.data;
}
