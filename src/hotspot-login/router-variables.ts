/**
 * The router's variables (`mac`, `ip`, `link-login-only`, `link-orig`, `chap-id`, …) as the
 * generated login.html forwards them, checked, and carried on through Portico's forms.
 */
import { isRouterAddress } from './router-address.js';
import type { RouterFields } from './views.js';

/** The router's variables as forwarded by the generated login.html, checked. */
export interface RouterVariables {
  mac: string;
  ip: string;
  linkLoginOnly: URL | undefined;
  linkOrig: string;
  chapId: string;
  chapChallenge: string;
  error: string;
}

export function field(source: unknown, name: string, maxLength: number): string {
  const value = (source as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.trim().slice(0, maxLength) : '';
}

export function httpUrl(text: string): URL | undefined {
  if (text === '') return undefined;
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The router's variables; `link-login-only` only when it can be the router's own address (see
 * router-address.ts), since the checked code is posted there.
 */
export function readRouterVariables(source: unknown, routerLoginHosts: readonly string[]): RouterVariables {
  const linkOrig = field(source, 'link-orig', 2000);
  const linkLoginOnly = httpUrl(field(source, 'link-login-only', 500));
  return {
    mac: field(source, 'mac', 40),
    ip: field(source, 'ip', 45),
    linkLoginOnly:
      linkLoginOnly && isRouterAddress(linkLoginOnly, routerLoginHosts) ? linkLoginOnly : undefined,
    linkOrig: httpUrl(linkOrig) ? linkOrig : '',
    chapId: field(source, 'chap-id', 40),
    chapChallenge: field(source, 'chap-challenge', 300),
    error: field(source, 'error', 300),
  };
}

export function forwarded(vars: RouterVariables): RouterFields {
  return {
    mac: vars.mac,
    ip: vars.ip,
    'link-login-only': vars.linkLoginOnly?.href ?? '',
    'link-orig': vars.linkOrig,
    'chap-id': vars.chapId,
    'chap-challenge': vars.chapChallenge,
  };
}
