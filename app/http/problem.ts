import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type * as z from '../zod.ts';
import { ERRORS, type ErrorCode } from './errors.ts';
import type { Problem } from './problem-schema.ts';

/** One field problem, `path` in dot notation ("emails.0.value"). */
export interface FieldError {
  path: string;
  message: string;
}

export { problemSchema, type Problem } from './problem-schema.ts';

export interface ProblemOptions {
  /** Field problems, for `errors`. */
  errors?: FieldError[];
  /** Headers the answer carries (Retry-After, Accept). */
  headers?: Record<string, string>;
}

/** Thrown anywhere in a request; the error handler turns it into problem+json. Status and title come from the registry. */
export class HttpProblem extends Error {
  readonly errors?: FieldError[];
  readonly headers?: Record<string, string>;
  constructor(
    readonly code: ErrorCode,
    detail: string,
    options: ProblemOptions = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
    this.errors = options.errors;
    this.headers = options.headers;
  }
  get status(): number {
    return ERRORS[this.code].status;
  }
}

/** Raised by persistence and session code when a backing service is down. */
export class DependencyUnavailable extends Error {
  constructor(
    readonly dependency: 'database' | 'sessions',
    options?: { cause?: unknown },
  ) {
    super(`${dependency} unavailable`, options);
    this.name = 'DependencyUnavailable';
  }
}

export function zodFieldErrors(error: z.core.$ZodError): FieldError[] {
  return error.issues.map((issue) => {
    // Unknown keys are reported once for the object; name each key instead.
    if (issue.code === 'unrecognized_keys') {
      return { path: [...issue.path, ...issue.keys].join('.'), message: 'unknown field' };
    }
    return { path: issue.path.join('.'), message: issue.message };
  });
}

export function validationProblem(error: z.core.$ZodError, detail = 'The request is not valid.'): HttpProblem {
  return new HttpProblem('validation_failed', detail, { errors: zodFieldErrors(error) });
}

export function sendProblem(res: Response, problem: HttpProblem, requestId?: string): void {
  const body: Problem = {
    type: `https://contactfolio.com/problems/${problem.code.replaceAll('_', '-')}`,
    title: ERRORS[problem.code].title,
    status: problem.status,
    detail: problem.message,
    code: problem.code,
    ...(requestId ? { requestId } : {}),
    ...(problem.errors ? { errors: problem.errors } : {}),
  };
  for (const [k, v] of Object.entries(problem.headers ?? {})) res.setHeader(k, v);
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(body));
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpProblem('not_found', `No route for ${req.method} ${req.path}.`));
};

/** body-parser and raw-body errors carry `type` and `status`. */
function fromBodyParser(err: { type?: unknown; status?: unknown; code?: unknown }): HttpProblem | undefined {
  switch (err.type) {
    case 'entity.parse.failed':
      return new HttpProblem('malformed_json', 'The request body is not valid JSON.');
    case 'entity.too.large':
      return new HttpProblem('payload_too_large', 'The request body is too large.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpProblem('unsupported_media_type', 'Only UTF-8 request bodies are accepted.');
    case 'entity.verify.failed':
      return new HttpProblem('invalid_utf8', 'The request body is not valid UTF-8.');
    case 'request.aborted':
      return new HttpProblem('request_aborted', 'The request was aborted.');
    case 'request.size.invalid':
      return new HttpProblem('body_length_mismatch', 'The request body is not as long as its Content-Length says.');
    default:
      // A gzip, deflate or br body that does not decode: body-parser passes zlib's error on as a 400 with
      // no type; its code is zlib's (Z_DATA_ERROR) or Brotli's decoder error (ERR__ERROR_FORMAT_PADDING_1).
      if (err.status === 400 && typeof err.code === 'string' && /^(?:Z_|ERR__ERROR_)/.test(err.code)) {
        return new HttpProblem('invalid_content_encoding', 'The request body could not be decoded as its Content-Encoding says.');
      }
      return undefined;
  }
}

export interface ErrorLogger {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export function errorHandler(opts: { exposeStack: boolean; logger: ErrorLogger }): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (res.headersSent) {
      // Part of the answer is out (a streamed multistatus): cut it, so the client cannot take half for a whole.
      opts.logger.error({ reqId: req.id, err }, 'error after the response began');
      res.destroy();
      // serverless-http's response has no real socket to cut: it waits for 'finish' or 'error',
      // so the Lambda invocation fails rather than answering half. (Only where someone listens:
      // an unheard 'error' would end the process.)
      if (res.listenerCount('error') > 0) res.emit('error', err);
      return;
    }
    const requestId = req.id;
    let problem: HttpProblem;
    if (err instanceof HttpProblem) {
      problem = err;
    } else if (err instanceof DependencyUnavailable) {
      opts.logger.warn({ reqId: requestId, err }, `${err.dependency} unavailable`);
      problem = new HttpProblem(
        `${err.dependency}_unavailable`,
        `The ${err.dependency === 'database' ? 'database' : 'session store'} is unavailable; try again shortly.`,
        { headers: { 'Retry-After': '5' } },
      );
    } else if (err && typeof err === 'object' && fromBodyParser(err)) {
      problem = fromBodyParser(err)!;
    } else if (err instanceof URIError && (err as { status?: unknown }).status === 400) {
      // The router could not percent-decode a path parameter ("%zz"): such a path names nothing.
      problem = new HttpProblem('not_found', `No resource at ${req.method} ${req.path}.`);
    } else {
      opts.logger.error({ reqId: requestId, err }, 'unhandled error');
      const detail = opts.exposeStack && err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : 'An unexpected error occurred.';
      problem = new HttpProblem('internal_error', detail);
    }
    sendProblem(res, problem, requestId);
  };
}
