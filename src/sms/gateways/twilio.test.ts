import { afterEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../gateway.js';
import { parseGatewaySettings } from '../gateway-settings.js';
import { standInGuard, startHttpStandIn, type Responder, type StandIn } from '../test-servers.js';
import { TwilioGateway } from './twilio.js';

let standIn: StandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const json = (status: number, body: unknown) => ({
  status,
  body: JSON.stringify(body),
  contentType: 'application/json',
});

/** Twilio-shaped: Basic auth must match, To must look like E.164. */
const twilioResponder =
  (user: string, secret: string): Responder =>
  (request) => {
    const expected = `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
    if (request.headers.authorization !== expected)
      return json(401, {
        code: 20003,
        message: 'Authenticate',
        more_info: 'https://www.twilio.com/docs/errors/20003',
        status: 401,
      });
    const form = new URLSearchParams(request.body);
    if (!/^\+\d{8,15}$/.test(form.get('To') ?? ''))
      return json(400, { code: 21211, message: "The 'To' number is not a valid phone number.", status: 400 });
    return json(201, { sid: 'SM0123456789abcdef0123456789abcdef', status: 'queued', to: form.get('To') });
  };

const gateway = (baseUrl: string, extra: Record<string, unknown> = {}) =>
  new TwilioGateway(
    parseGatewaySettings('twilio', {
      baseUrl,
      accountSid: ACCOUNT,
      secret: 'auth-token',
      from: '+15005550006',
      ...extra,
    }),
    standInGuard(),
  );

describe('twilio gateway', () => {
  it('POSTs To/From/Body to the Messages resource with Basic auth and keeps the sid', async () => {
    standIn = await startHttpStandIn(twilioResponder(ACCOUNT, 'auth-token'));
    const result = await gateway(standIn.url).send({ to: '+12025550123', text: 'Hello & welcome' });
    expect(result).toEqual({
      externalId: 'SM0123456789abcdef0123456789abcdef',
      answer: 'HTTP 201 queued SM0123456789abcdef0123456789abcdef',
    });
    const request = standIn.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe(`/2010-04-01/Accounts/${ACCOUNT}/Messages.json`);
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request.headers.authorization).toBe(
      `Basic ${Buffer.from(`${ACCOUNT}:auth-token`).toString('base64')}`,
    );
    expect(request.body).toBe('To=%2B12025550123&From=%2B15005550006&Body=Hello+%26+welcome');
  });

  it('authenticates with an API key SID and secret when given', async () => {
    standIn = await startHttpStandIn(twilioResponder('SK123', 'key-secret'));
    await gateway(standIn.url, { apiKeySid: 'SK123', secret: 'key-secret' }).send({
      to: '+12025550123',
      text: 'x',
    });
    expect(standIn.requests[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('SK123:key-secret').toString('base64')}`,
    );
  });

  it('turns a 400 error JSON for an invalid number into a permanent failure with the code', async () => {
    standIn = await startHttpStandIn(twilioResponder(ACCOUNT, 'auth-token'));
    const error = (await gateway(standIn.url)
      .send({ to: '12', text: 'x' })
      .catch((e: unknown) => e)) as GatewayError;
    expect(error).toBeInstanceOf(GatewayError);
    expect(error.permanent).toBe(true);
    expect(error.message).toBe('Twilio answered HTTP 400');
    expect(error.options.answer).toBe("HTTP 400 code 21211: The 'To' number is not a valid phone number.");
  });

  it('treats wrong credentials (401) as temporary, so an operator can fix them and retries go through', async () => {
    standIn = await startHttpStandIn(twilioResponder(ACCOUNT, 'right-token'));
    const error = (await gateway(standIn.url)
      .send({ to: '+12025550123', text: 'x' })
      .catch((e: unknown) => e)) as GatewayError;
    expect(error.message).toBe('Twilio rejected the credentials');
    expect(error.permanent).toBe(false);
    expect(error.options.answer).toBe('HTTP 401 code 20003: Authenticate');
    expect(error.options.answer).not.toContain('auth-token');
  });

  it('treats a 5xx HTML outage page as temporary', async () => {
    standIn = await startHttpStandIn(() => ({
      status: 502,
      body: '<html>Bad gateway</html>',
      contentType: 'text/html',
    }));
    const error = (await gateway(standIn.url)
      .send({ to: '+12025550123', text: 'x' })
      .catch((e: unknown) => e)) as GatewayError;
    expect(error.permanent).toBe(false);
    // Not JSON: nothing of the body is kept (baseUrl is a tenant admin's choice).
    expect(error.options.answer).toBe('HTTP 502');
  });

  it('refuses settings without a secret', () => {
    expect(() => parseGatewaySettings('twilio', { accountSid: ACCOUNT, from: '+1500' })).toThrow(
      'Twilio needs an auth token or an API key secret',
    );
  });
});
