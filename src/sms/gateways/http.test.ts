import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../gateway.js';
import { parseGatewaySettings } from '../gateway-settings.js';
import {
  closedPort,
  kannelResponder,
  selfSignedCertificate,
  standInGuard,
  startHttpStandIn,
  type StandIn,
} from '../test-servers.js';
import { HttpGateway } from './http.js';

let standIn: StandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

const kannel = (url: string, extra: Record<string, unknown> = {}) =>
  new HttpGateway(
    parseGatewaySettings('http', {
      url: `${url}/cgi-bin/sendsms?username={username}&password={password}&to={to}&text={text}&from={from}`,
      username: 'portico',
      password: 's3cr3t&=',
      sender: 'Cafe Wifi',
      successSubstring: 'Accepted',
      ...extra,
    }),
    standInGuard(),
  );

describe('http gateway (Kannel sendsms)', () => {
  it('sends a GET with every placeholder URL-encoded and accepts "202 0: Accepted for delivery"', async () => {
    standIn = await startHttpStandIn(kannelResponder({ username: 'portico', password: 's3cr3t&=' }));
    const result = await kannel(standIn.url).send({ to: '+12025550123', text: 'Code: 123 456 & ü' });
    // The body is not kept (the URL is a tenant admin's choice): status and the checked substring.
    expect(result.answer).toBe('HTTP 202, the answer contains "Accepted"');
    expect(standIn.requests).toHaveLength(1);
    const request = standIn.requests[0]!;
    expect(request.method).toBe('GET');
    expect(request.url).toBe(
      '/cgi-bin/sendsms?username=portico&password=s3cr3t%26%3D&to=%2B12025550123' +
        '&text=Code%3A%20123%20456%20%26%20%C3%BC&from=Cafe%20Wifi',
    );
    expect(request.body).toBe('');
  });

  it('treats 503 as a temporary failure and 403 (wrong credentials) as temporary too', async () => {
    standIn = await startHttpStandIn(
      kannelResponder({ username: 'portico', password: 'other', failFirst: 0 }),
    );
    const wrongCredentials = await kannel(standIn.url)
      .send({ to: '+12025550123', text: 'x' })
      .catch((e: unknown) => e);
    expect(wrongCredentials).toBeInstanceOf(GatewayError);
    expect((wrongCredentials as GatewayError).permanent).toBe(false);
    expect((wrongCredentials as GatewayError).message).toBe(
      'the gateway answered HTTP 403 (it refused the credentials)',
    );
    expect((wrongCredentials as GatewayError).options.answer).toBe('HTTP 403');
    await standIn.close();

    standIn = await startHttpStandIn(
      kannelResponder({ username: 'portico', password: 's3cr3t&=', failFirst: 1 }),
    );
    const busy = await kannel(standIn.url)
      .send({ to: '+12025550123', text: 'x' })
      .catch((e: unknown) => e);
    expect((busy as GatewayError).message).toBe('the gateway answered HTTP 503 (a server error on its side)');
    expect((busy as GatewayError).permanent).toBe(false);
    await expect(kannel(standIn.url).send({ to: '+12025550123', text: 'x' })).resolves.toMatchObject({
      answer: 'HTTP 202, the answer contains "Accepted"',
    });
  });

  it('fails when the success substring is missing from a 2xx answer', async () => {
    standIn = await startHttpStandIn(() => ({ status: 200, body: 'ERR: no route' }));
    await expect(kannel(standIn.url).send({ to: '+12025550123', text: 'x' })).rejects.toThrow(
      'the answer does not contain "Accepted"',
    );
  });

  it('POSTs a JSON payload with values escaped for JSON and the extra header', async () => {
    standIn = await startHttpStandIn(() => ({
      status: 200,
      body: '{"ok":true}',
      contentType: 'application/json',
    }));
    const gateway = new HttpGateway(
      parseGatewaySettings('http', {
        url: `${standIn.url}/api/send`,
        method: 'POST',
        contentType: 'json',
        payloadTemplate: '{"to":"{to}","message":"{text}","sender":"{from}"}',
        sender: 'Portico',
        headerName: 'X-Api-Key',
        headerValue: 'k-123',
      }),
      standInGuard(),
    );
    await gateway.send({ to: '+447700900123', text: 'He said "hi"\nbye' });
    const request = standIn.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/api/send');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-api-key']).toBe('k-123');
    expect(JSON.parse(request.body)).toEqual({
      to: '+447700900123',
      message: 'He said "hi"\nbye',
      sender: 'Portico',
    });
  });

  it('POSTs a form payload with values form-encoded', async () => {
    standIn = await startHttpStandIn(() => ({ status: 202, body: '0: Accepted for delivery' }));
    const gateway = new HttpGateway(
      parseGatewaySettings('http', {
        url: `${standIn.url}/send`,
        method: 'POST',
        contentType: 'form',
        payloadTemplate: 'to={to}&text={text}',
      }),
      standInGuard(),
    );
    await gateway.send({ to: '+12025550123', text: 'a b&c=d' });
    expect(standIn.requests[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(standIn.requests[0]!.body).toBe('to=%2B12025550123&text=a+b%26c%3Dd');
  });

  it('times out on a gateway that never answers', async () => {
    standIn = await startHttpStandIn(() => 'hang');
    const started = Date.now();
    await expect(
      kannel(standIn.url, { timeoutSeconds: 1 }).send({ to: '+12025550123', text: 'x' }),
    ).rejects.toThrow('no answer from the gateway within 1 s');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('reports a gateway that is down without leaking the URL (it holds the password)', async () => {
    const port = await closedPort();
    const error = (await kannel(`http://127.0.0.1:${port}`)
      .send({ to: '+12025550123', text: 'x' })
      .catch((e: unknown) => e)) as GatewayError;
    expect(error.message).toBe('the gateway refused the connection (is it running?)');
    expect(error.message).not.toContain('s3cr3t');
  });
});

describe('http gateway over HTTPS', () => {
  it('verifies TLS certificates by default and skips the check only when told', async () => {
    const https = await import('node:https');
    const server = https.createServer(selfSignedCertificate(), (_req, res) => {
      res.writeHead(202);
      res.end('0: Accepted for delivery');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const gateway = (verifyTls?: boolean) =>
      new HttpGateway(
        parseGatewaySettings('http', {
          url: `https://127.0.0.1:${port}/send?to={to}`,
          ...(verifyTls === undefined ? {} : { verifyTls }),
        }),
        standInGuard(),
      );
    try {
      await expect(gateway().send({ to: '+12025550123', text: 'x' })).rejects.toThrow(
        /TLS verification failed/,
      );
      await expect(gateway(false).send({ to: '+12025550123', text: 'x' })).resolves.toMatchObject({
        answer: 'HTTP 202',
      });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
