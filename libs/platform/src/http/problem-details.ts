import { STATUS_CODES } from 'node:http';

/** RFC 9457 problem details, the body of every error response. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  correlationId?: string;
  errors?: Array<{ field: string; message: string }>;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Builds a problem document; `type` defaults to `about:blank` as RFC 9457 says. */
export function problem(
  status: number,
  detail: string,
  extra: Partial<Omit<ProblemDetails, 'status' | 'detail'>> = {},
): ProblemDetails {
  return {
    type: extra.type ?? 'about:blank',
    title: extra.title ?? STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    ...(extra.instance ? { instance: extra.instance } : {}),
    ...(extra.correlationId ? { correlationId: extra.correlationId } : {}),
    ...(extra.errors?.length ? { errors: extra.errors } : {}),
  };
}
