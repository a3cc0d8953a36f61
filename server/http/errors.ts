import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { DomainError, type ErrorCode, httpStatusOf } from '../../shared/errors.ts';

/** Parses untrusted input with its schema; a failure is a 400 with the issues as details. */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (!r.success) {
    throw new DomainError(
      'validation_failed',
      r.error.issues[0]?.message ?? 'invalid input',
      r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  return r.data;
}

/**
 * The request's JSON body, or `{}` when it has none. A body in another format (text/plain, a
 * form) is refused, not ignored: a request whose body the server cannot read must not act as if
 * it had sent nothing.
 */
export function jsonBody(req: Request): unknown {
  if (req.body !== undefined) return req.body;
  const length = req.headers['content-length'];
  const hasBody =
    req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  if (hasBody) {
    throw new DomainError(
      'validation_failed',
      'the body must be JSON (Content-Type: application/json)',
    );
  }
  return {};
}

export function errorBody(code: ErrorCode, message: string, details?: unknown) {
  return details === undefined
    ? { error: { code, message } }
    : { error: { code, message, details } };
}

export const notFound: RequestHandler = (req, res) => {
  res.status(404).json(errorBody('not_found', `no route ${req.method} ${req.path}`));
};

/**
 * The one place errors become answers: domain errors and body-parser failures are 4xx with a
 * code; anything else is a bug, logged, and answered 500 without internals.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof DomainError) {
      if (err.retryAfterSeconds !== undefined) {
        res.setHeader('Retry-After', String(err.retryAfterSeconds));
      }
      res.status(httpStatusOf(err.code)).json(errorBody(err.code, err.message, err.details));
      return;
    }
    const e = err as { type?: string; status?: number; message?: string; limit?: number };
    if (e.type === 'entity.too.large' || e.status === 413) {
      // Each parser has its own limit (JSON 64 KB, Slack's commands 16 KB, its interactions
      // 64 KB): name the one exceeded.
      const limit = typeof e.limit === 'number' ? `${Math.round(e.limit / 1024)} KB` : 'the limit';
      res.status(413).json(errorBody('payload_too_large', `the body is larger than ${limit}`));
      return;
    }
    if (
      e.type === 'entity.parse.failed' ||
      e.type === 'encoding.unsupported' ||
      e.type === 'charset.unsupported'
    ) {
      res.status(400).json(errorBody('validation_failed', 'the body is not valid JSON'));
      return;
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      res.status(400).json(errorBody('validation_failed', e.message ?? 'bad request'));
      return;
    }
    log.error({ err, method: req.method, path: req.path }, 'unhandled error');
    res.status(500).json({ error: { code: 'internal', message: 'internal error' } });
  };
}
