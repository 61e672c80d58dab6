/**
 * A form sent after its session expired (issue 15, 8c): nothing is done with it, but what the
 * person typed is kept for a short while so that, after a fresh sign-in, the form's page opens
 * again with the fields filled in (resume.js) and a note — the person checks and sends it again,
 * with a new CSRF token in the new session. Only a form whose CSRF token verified against the
 * old session is kept (a cross-site post cannot plant values), never its token or a password,
 * in an HttpOnly cookie signed with the server key (not readable or forgeable by the page), for
 * 15 minutes, and handed out once.
 */
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isHttps } from './cookies.js';

export const RESUME_COOKIE = 'portico_resume';
const RESUME_MAX_AGE_SECONDS = 15 * 60;
/** Browsers keep ~4 KB a cookie: a larger form keeps only its page (the note still shows). */
const MAX_COOKIE_CHARS = 3500;
const MAX_FIELD_CHARS = 1000;

interface KeptForm {
  /** The page the form was on (path and query, same site), where it opens again. */
  page: string;
  /** The form's action, to find it on that page. */
  action: string;
  fields: Record<string, string>;
  expiresAtMs: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Forms sent after their session expired, kept for after the next sign-in. */
    formResume: FormResume;
  }
}

/** The same-site page (path and query under `area`) a Referer names, else undefined. */
export function sameSitePage(request: FastifyRequest, area: '/admin' | '/portal'): string | undefined {
  const referer = request.headers.referer;
  if (!referer) return undefined;
  try {
    const url = new URL(referer);
    if (url.host !== request.headers.host || !url.pathname.startsWith(area)) return undefined;
    return `${url.pathname}${url.search}`;
  } catch {
    return undefined;
  }
}

export class FormResume {
  private readonly key: Buffer;

  constructor(serverKey: string) {
    this.key = crypto.createHmac('sha256', serverKey).update('portico resume').digest();
  }

  /**
   * Keeps a form posted without a live session (call only after its CSRF token verified). Drops
   * the token and anything that looks like a secret. Returns whether the values were kept.
   */
  keep(request: FastifyRequest, reply: FastifyReply, page: string, body: unknown): boolean {
    const fields: Record<string, string> = {};
    for (const [name, value] of Object.entries((body ?? {}) as Record<string, unknown>)) {
      if (typeof value !== 'string' || name === '_csrf' || /password|secret|token/i.test(name)) continue;
      fields[name] = value.slice(0, MAX_FIELD_CHARS);
    }
    const kept: KeptForm = {
      page,
      action: request.url.split('?')[0] ?? '',
      fields,
      expiresAtMs: Date.now() + RESUME_MAX_AGE_SECONDS * 1000,
    };
    let payload = Buffer.from(JSON.stringify(kept)).toString('base64url');
    const withValues = payload.length <= MAX_COOKIE_CHARS;
    if (!withValues) payload = Buffer.from(JSON.stringify({ ...kept, fields: {} })).toString('base64url');
    reply.setCookie(RESUME_COOKIE, `${payload}.${this.sign(payload)}`, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: isHttps(request),
      maxAge: RESUME_MAX_AGE_SECONDS,
    });
    return withValues;
  }

  /** Where to go after a fresh sign-in in `area`: the page of a kept form, else undefined. */
  page(request: FastifyRequest, area: '/admin' | '/portal'): string | undefined {
    const kept = this.decode(request.cookies[RESUME_COOKIE]);
    return kept?.page.startsWith(area) ? kept.page : undefined;
  }

  /**
   * On the kept form's page (a GET answered 200 to a signed-in request — the caller checks
   * that): the element that hands the values to resume.js, once (the cookie is cleared), with
   * `note`; else ''. A script element that never runs; "<" escaped so no value can close it.
   */
  take(request: FastifyRequest, reply: FastifyReply, note: string): string {
    const raw = request.cookies[RESUME_COOKIE];
    if (!raw || request.method !== 'GET') return '';
    const kept = this.decode(raw);
    if (!kept || kept.page.split('?')[0] !== request.url.split('?')[0]) return '';
    reply.clearCookie(RESUME_COOKIE, { path: '/' });
    const json = JSON.stringify({ action: kept.action, fields: kept.fields, note }).replaceAll(
      '<',
      '\\u003c',
    );
    return `<script type="application/json" id="portico-resume">${json}</script>`;
  }

  private sign(payload: string): string {
    return crypto.createHmac('sha256', this.key).update(payload).digest('base64url');
  }

  private decode(raw: string | undefined): KeptForm | undefined {
    if (!raw) return undefined;
    const [payload, mac] = raw.split('.');
    if (!payload || !mac) return undefined;
    const expected = this.sign(payload);
    if (mac.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(mac), Buffer.from(expected)))
      return undefined;
    try {
      const kept = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as KeptForm;
      return kept.expiresAtMs > Date.now() ? kept : undefined;
    } catch {
      return undefined;
    }
  }
}
