/**
 * What the end-to-end device tests (portal and admin, in Chromium) share: the app listening with
 * RADIUS on ephemeral ports, a hotspot at 127.0.0.1 whose CoA port is a NAS simulator, the server
 * log captured (the `log` SMS gateway writes login codes there), and radclient for the hotspot's
 * side: MAC authentication and accounting Start. Works on either database.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe } from 'vitest';
import { Attr, Code, decodePacket, getIpAddress, getString } from '../../src/radius/protocol/index.js';
import type { Dialect } from '../../src/store/index.js';
import { buildTestApp, type TestApp } from './app.js';
import { launchBrowser } from './browser.js';
import { createHotspot } from './factories.js';
import { NAS_SECRET, NasSimulator, radclient, type RadclientResult } from './radius-factories.js';
import { CHROMIUM_PATH, RADCLIENT_PATH, hasTool } from './tools.js';

/** Chromium, radclient and a database on two shared cores: generous, for tests and hooks. */
export const E2E_TIMEOUT_MS = 120_000;

/** `describe`, skipped (with the reason in its name) where Chromium or radclient is missing. */
export const describeWithBrowserAndRadclient = describe.skipIf(
  !hasTool(CHROMIUM_PATH) || !hasTool(RADCLIENT_PATH),
);

export interface HotspotWorld {
  app: TestApp;
  nas: NasSimulator;
  tenantId: number;
  hotspotId: number;
  baseUrl: string;
  authPort: number;
  acctPort: number;
  /** Every line the server logged (JSON), in order. */
  logLines: string[];
  /** MAC authentication as a MikroTik hotspot sends it (the MAC as User-Name and password). */
  macAuth(mac: string): Promise<RadclientResult>;
  /** Accounting Start of a session of `mac` at the hotspot (User-Name: `userName`, else the MAC). */
  accountingStart(session: {
    mac: string;
    acctSessionId: string;
    framedIp: string;
    userName?: string;
  }): Promise<RadclientResult>;
  /** The Disconnect-Requests the NAS simulator received so far, decoded, in order. */
  disconnectRequests(): Array<ReturnType<typeof disconnectRequestOf>>;
  /** The SMS text the `log` gateway "sent" to `phone`, waiting up to `timeoutMs` for it. */
  smsTextTo(phone: string, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

/**
 * Builds the world; `prepare` runs on the app before it listens (plans, customers, settings).
 * The hotspot is titled "Lobby".
 */
export async function startHotspotWorld(
  dialect: Dialect,
  prepare: (app: TestApp, tenantId: number) => Promise<void> = async () => {},
): Promise<HotspotWorld> {
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const app = await buildTestApp(dialect, {
    env: { RADIUS_ENABLED: '1', RADIUS_HOST: '127.0.0.1', RADIUS_AUTH_PORT: '0', RADIUS_ACCT_PORT: '0' },
    overrides: { logger: pino({ level: 'info' }, sink) },
  });
  const nas = new NasSimulator(NAS_SECRET);
  try {
    const coaPort = await nas.start();
    const tenantId = app.bootstrapped.tenant.id;
    const hotspot = await createHotspot(app.store.db, tenantId, {
      title: 'Lobby',
      ip_address: '127.0.0.1',
      secret: NAS_SECRET,
      coa_port: coaPort,
    });
    await prepare(app, tenantId);
    const baseUrl = (await app.listen()).httpUrl;
    const { authPort, acctPort } = app.radius!.ports();
    return {
      app,
      nas,
      tenantId,
      hotspotId: hotspot.id,
      baseUrl,
      authPort,
      acctPort,
      logLines,
      macAuth: (mac) =>
        radclient(authPort, 'auth', NAS_SECRET, {
          'User-Name': mac,
          'User-Password': mac,
          'Calling-Station-Id': mac,
          'NAS-IP-Address': '127.0.0.1',
          'Message-Authenticator': '0x00',
        }),
      accountingStart: ({ mac, acctSessionId, framedIp, userName }) =>
        radclient(acctPort, 'acct', NAS_SECRET, {
          'User-Name': userName ?? mac,
          'Acct-Session-Id': acctSessionId,
          'Calling-Station-Id': mac,
          'Framed-IP-Address': framedIp,
          'NAS-IP-Address': '127.0.0.1',
          'Acct-Status-Type': 'Start',
        }),
      disconnectRequests: () => nas.requests.map((request) => disconnectRequestOf(request.packet)),
      async smsTextTo(phone, timeoutMs = 10_000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          for (const line of logLines) {
            const entry = JSON.parse(line) as { sms?: { to: string; text: string } };
            if (entry.sms?.to === phone) return entry.sms.text;
          }
          if (Date.now() > deadline) throw new Error(`no SMS to ${phone} in the server log`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      },
      async close() {
        await app.destroy();
        await nas.close();
      },
    };
  } catch (error) {
    await app.destroy();
    await nas.close();
    throw error;
  }
}

/** The identifying attributes of a Disconnect-Request the NAS simulator received. */
export function disconnectRequestOf(packet: Buffer): {
  userName: string | undefined;
  acctSessionId: string | undefined;
  framedIp: string | undefined;
  nasIp: string | undefined;
} {
  const decoded = decodePacket(packet);
  if (!decoded.ok) throw new Error('undecodable packet at the NAS simulator');
  if (decoded.packet.code !== Code.DisconnectRequest)
    throw new Error(`expected a Disconnect-Request, got code ${decoded.packet.code}`);
  return {
    userName: getString(decoded.packet, Attr.UserName),
    acctSessionId: getString(decoded.packet, Attr.AcctSessionId),
    framedIp: getIpAddress(decoded.packet, Attr.FramedIpAddress),
    nasIp: getIpAddress(decoded.packet, Attr.NasIpAddress),
  };
}

/**
 * Registers beforeAll/afterAll for a test file's describe block: the world on `dialect` and a
 * Chromium. Read them through the returned getters inside tests.
 */
export function useHotspotWorldInBrowser(
  dialect: Dialect,
  prepare?: (app: TestApp, tenantId: number) => Promise<void>,
): { readonly world: HotspotWorld; readonly browser: Browser } {
  let world: HotspotWorld | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    world = await startHotspotWorld(dialect, prepare);
    browser = await launchBrowser();
  }, E2E_TIMEOUT_MS);
  afterAll(async () => {
    await browser?.close();
    await world?.close();
  }, E2E_TIMEOUT_MS);
  return {
    get world() {
      if (!world) throw new Error('the hotspot world is not started (use it inside a test)');
      return world;
    },
    get browser() {
      if (!browser) throw new Error('Chromium is not started (use it inside a test)');
      return browser;
    },
  };
}
