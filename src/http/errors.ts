import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../shared/index.js';

const STATUS_BY_CODE: Record<string, number> = {
  VALIDATION: 400,
  PHONE_INVALID: 400,
  MAC_INVALID: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  MAC_ALREADY_ON_VOUCHER: 409,
  MAC_ON_OTHER_VOUCHER: 409,
  VOUCHER_DEVICE_LIMIT: 409,
  FORBIDDEN: 403,
  CSRF: 403,
  DEVICES_DISABLED: 403,
  UNAUTHENTICATED: 401,
  RATE_LIMITED: 429,
};

export function statusForCode(code: string): number {
  return STATUS_BY_CODE[code] ?? 400;
}

/** The stable codes answered with `status` (for the API documentation). */
export function codesForStatus(status: number): string[] {
  return Object.entries(STATUS_BY_CODE)
    .filter(([, s]) => s === status)
    .map(([code]) => code);
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  errors?: unknown;
}

/** Turns anything thrown into a problem: domain errors keep their code, the rest becomes 500. */
export function toProblem(error: unknown): Problem {
  if (error instanceof AppError) {
    const status = statusForCode(error.code);
    return {
      type: 'about:blank',
      title: error.message,
      status,
      code: error.code,
      ...(error.details ? { errors: error.details } : {}),
    };
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    return {
      type: 'about:blank',
      title: 'The request is not valid',
      status: 400,
      code: 'VALIDATION',
      detail: fastifyError.message,
      errors: fastifyError.validation.map((v) => ({ path: v.instancePath, message: v.message })),
    };
  }
  if (fastifyError.code === 'FST_CSRF_INVALID_TOKEN' || fastifyError.code === 'FST_CSRF_MISSING_SECRET') {
    return {
      type: 'about:blank',
      title: 'The form has expired or did not come from this site. Reload the page and try again.',
      status: 403,
      code: 'CSRF',
    };
  }
  const status = fastifyError.statusCode;
  if (status && status >= 400 && status < 500) {
    const titles: Record<number, string> = {
      413: 'The request body is too large',
      415: 'This content type is not supported',
      404: 'Not found',
    };
    return {
      type: 'about:blank',
      title: titles[status] ?? 'The request could not be processed',
      status,
      code: fastifyError.code ?? 'BAD_REQUEST',
    };
  }
  return { type: 'about:blank', title: 'Something went wrong on our side', status: 500, code: 'INTERNAL' };
}

export function wantsJson(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/') || !(request.headers.accept ?? '').includes('text/html');
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.status(problem.status).type('application/problem+json').send(problem);
}
