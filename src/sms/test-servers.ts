/**
 * Local stand-ins for SMS providers, used by the tests (and handy for manual trials): each
 * records the exact requests it received. They listen on 127.0.0.1 only.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import { DestinationGuard, type AllowedDestinations } from './destinations.js';

/**
 * The stand-ins listen on 127.0.0.1, which gateways may not reach unless the operator allows
 * it: tests that use them say so explicitly, like an operator with a local Kannel would.
 */
export const STAND_IN_ALLOWED_HOSTS = '127.0.0.1';
export const STAND_IN_DESTINATIONS: AllowedDestinations = { hostNames: [], networks: ['127.0.0.1/32'] };
export const standInGuard = (): DestinationGuard => new DestinationGuard(STAND_IN_DESTINATIONS);

/**
 * A throw-away self-signed certificate for 127.0.0.1 (openssl, valid one day), for stand-ins
 * that speak TLS: gateways must refuse it by default and accept it only when told to.
 */
export function selfSignedCertificate(): { key: Buffer; cert: Buffer } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-tls-'));
  try {
    const [keyFile, certFile] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
    execFileSync(
      'openssl',
      // prettier-ignore
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', keyFile, '-out', certFile],
      { stdio: 'ignore' },
    );
    return { key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile) };
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface StandIn {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export type Responder = (
  request: RecordedRequest,
  index: number,
) => { status: number; body: string; contentType?: string; delayMs?: number } | 'hang';

export async function startHttpStandIn(responder: Responder): Promise<StandIn> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      const answer = responder(recorded, requests.length - 1);
      if (answer === 'hang') return;
      const reply = () => {
        res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'text/plain' });
        res.end(answer.body);
      };
      if (answer.delayMs) setTimeout(reply, answer.delayMs);
      else reply();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Kannel's sendsms: 202 "0: Accepted for delivery" with the right credentials, 403 otherwise. */
export function kannelResponder(options: {
  username: string;
  password: string;
  failFirst?: number;
}): Responder {
  return (request, index) => {
    const url = new URL(request.url, 'http://x');
    if (
      url.searchParams.get('username') !== options.username ||
      url.searchParams.get('password') !== options.password
    )
      return { status: 403, body: 'Authorization failed for sendsms' };
    if (index < (options.failFirst ?? 0)) return { status: 503, body: 'Temporary failure' };
    return { status: 202, body: '0: Accepted for delivery' };
  };
}

/** A port with nothing listening on it (for "gateway down"). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
