/**
 * A small HTTP client on node:http/https for the gateways: a hard overall timeout, optional TLS
 * verification, a bounded answer size, and errors that never contain the URL (it may carry
 * credentials in its query string). Every call names the DestinationGuard that decides where it
 * may connect; redirects are never followed (a 3xx is just a non-2xx answer), so a gateway
 * cannot send Portico on to an address the guard would refuse.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { DestinationGuard } from './destinations.js';
import { GatewayError } from './gateway.js';

export interface HttpCall {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  verifyTls?: boolean;
  /** Where the call may connect. */
  destinations: DestinationGuard;
}

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const MAX_ANSWER_BYTES = 64 * 1024;

export async function httpCall(call: HttpCall): Promise<HttpAnswer> {
  let url: URL;
  try {
    url = new URL(call.url);
  } catch {
    throw new GatewayError('the gateway URL is not valid', { permanent: true });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new GatewayError('the gateway URL must start with http:// or https://', { permanent: true });
  // Node calls `lookup` for host names only: an IP literal is checked here, a name in lookup.
  const literal = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (net.isIP(literal) !== 0) await call.destinations.resolve(literal);
  const transport = url.protocol === 'https:' ? https : http;
  const headers: Record<string, string> = { 'user-agent': 'Portico', ...call.headers };
  if (call.body !== undefined) headers['content-length'] = String(Buffer.byteLength(call.body));
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error: GatewayError | undefined, answer?: HttpAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(answer!);
    };
    const request = transport.request(
      url,
      {
        method: call.method,
        headers,
        lookup: call.destinations.lookup,
        ...(url.protocol === 'https:' ? { rejectUnauthorized: call.verifyTls !== false } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
        });
        response.on('error', () => finish(new GatewayError('the gateway connection broke')));
        response.on('end', () =>
          finish(undefined, {
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    const timer = setTimeout(() => {
      finish(new GatewayError(`no answer from the gateway within ${call.timeoutMs / 1000} s`));
      request.destroy();
    }, call.timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) => {
      finish(error instanceof GatewayError ? error : new GatewayError(describeNetworkError(error)));
    });
    if (call.body !== undefined) request.write(call.body);
    request.end();
  });
}

function describeNetworkError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'the gateway refused the connection (is it running?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the gateway host name could not be resolved';
    case 'ECONNRESET':
      return 'the gateway closed the connection';
    case 'ETIMEDOUT':
      return 'the connection to the gateway timed out';
    default:
      if (error.code?.startsWith('ERR_TLS') || /certificate|self.signed/i.test(error.message))
        return `TLS verification failed (${error.code ?? 'certificate'})`;
      return `network error ${error.code ?? ''}`.trim();
  }
}
