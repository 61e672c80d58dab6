/**
 * A MikroTik hotspot for tests: an HTTP server playing the router's captive side for one guest
 * device (a fixed MAC and IP). Any page asked for before login goes to /login; /login tries MAC
 * authentication first (login-by=mac), else serves the hotspot folder's login.html — the file
 * Portico generates — with RouterOS's `$(variables)` filled in and a fresh CHAP id and
 * challenge, octal-escaped as RouterOS shows them. A POST to /login sends a real RADIUS
 * Access-Request to Portico (the project's codec over UDP): with HTTP-CHAP, CHAP-Password =
 * chap-id ‖ the posted MD5 and CHAP-Challenge = the router's current challenge, so a response
 * computed against any other challenge (a stale page) fails exactly as on a router. On
 * Access-Accept it redirects to `dst`; on Access-Reject it serves login.html again with `error`
 * set to the Reply-Message, `link-orig` keeping the posted `dst`.
 */
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Attr,
  Code,
  decodePacket,
  encodeRequest,
  getString,
  hidePassword,
} from '../../src/radius/protocol/index.js';
import { encodeRouterOsString } from '../../src/hotspot-login/index.js';

export interface RouterSimulatorOptions {
  radiusPort: number;
  secret: string;
  /** The guest device this router serves (every HTTP client is this device). */
  clientMac: string;
  clientIp: string;
  /** The hotspot folder's login.html (from Portico). */
  loginHtml: () => Promise<string> | string;
  loginBy?: 'chap' | 'pap';
}

export interface RadiusExchange {
  userName: string;
  method: 'mac' | 'chap' | 'pap';
  accepted: boolean;
  replyMessage: string | undefined;
}

export class RouterSimulator {
  private server: http.Server | undefined;
  private chap = { id: crypto.randomBytes(1), challenge: crypto.randomBytes(16) };
  private loggedIn = false;
  /** Every Access-Request the router sent and Portico's answer, in order. */
  readonly radius: RadiusExchange[] = [];
  /** How many times login.html was served. */
  loginPagesServed = 0;
  baseUrl = '';

  constructor(private readonly options: RouterSimulatorOptions) {}

  async start(): Promise<string> {
    this.server = http.createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.statusCode = 500;
        response.end(String(error));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  /** A new challenge, as when the router served its login page to another tab meanwhile. */
  rotateChallenge(): void {
    this.chap = { id: crypto.randomBytes(1), challenge: crypto.randomBytes(16) };
  }

  get isLoggedIn(): boolean {
    return this.loggedIn;
  }

  logout(): void {
    this.loggedIn = false;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.baseUrl);
    if (url.pathname === '/login' && request.method === 'POST') {
      const form = new URLSearchParams(await readBody(request));
      return this.login(form, response);
    }
    if (url.pathname === '/login') {
      const dst = url.searchParams.get('dst') ?? '';
      if (this.loggedIn) return redirect(response, dst || `${this.baseUrl}/status`);
      // login-by=mac first: a device bound to a live voucher never sees the page.
      const mac = await this.accessRequest(this.options.clientMac, 'mac');
      if (mac.accepted) {
        this.loggedIn = true;
        return redirect(response, dst || `${this.baseUrl}/status`);
      }
      return this.serveLoginPage(response, dst, '');
    }
    if (url.pathname === '/status' && this.loggedIn) {
      response.setHeader('content-type', 'text/html; charset=utf-8');
      response.end('<!doctype html><title>status</title><h1>You are logged in</h1>');
      return;
    }
    if (!this.loggedIn) {
      // The captive redirect: whatever was asked for, the login page, remembering it as dst.
      return redirect(response, `${this.baseUrl}/login?dst=${encodeURIComponent(url.href)}`);
    }
    response.setHeader('content-type', 'text/html; charset=utf-8');
    response.end(
      `<!doctype html><title>origin</title><h1>The page you asked for: ${escapeHtml(url.pathname)}</h1>`,
    );
  }

  private async serveLoginPage(
    response: http.ServerResponse,
    linkOrig: string,
    error: string,
  ): Promise<void> {
    this.rotateChallenge();
    this.loginPagesServed += 1;
    const chapOn = (this.options.loginBy ?? 'chap') === 'chap';
    const variables: Record<string, string> = {
      mac: this.options.clientMac,
      ip: this.options.clientIp,
      'link-login-only': `${this.baseUrl}/login`,
      'link-login': `${this.baseUrl}/login?dst=${encodeURIComponent(linkOrig)}`,
      'link-orig': linkOrig,
      'link-redirect': linkOrig,
      'chap-id': chapOn ? encodeRouterOsString(this.chap.id) : '',
      'chap-challenge': chapOn ? encodeRouterOsString(this.chap.challenge) : '',
      error,
      'logged-in': this.loggedIn ? 'yes' : 'no',
    };
    // RouterOS substitutes raw values; `$(name)` only (the generated login.html needs no more).
    const page = (await this.options.loginHtml()).replace(/\$\(([a-z-]+)\)/g, (match, name: string) =>
      variables[name] !== undefined ? variables[name] : match,
    );
    response.setHeader('content-type', 'text/html; charset=utf-8');
    response.end(page);
  }

  private async login(form: URLSearchParams, response: http.ServerResponse): Promise<void> {
    const username = form.get('username') ?? '';
    const password = form.get('password') ?? '';
    const dst = form.get('dst') ?? '';
    const chapOn = (this.options.loginBy ?? 'chap') === 'chap';
    if (chapOn && !/^[0-9a-f]{32}$/i.test(password)) {
      return this.serveLoginPage(response, dst, 'invalid username or password');
    }
    const result = await this.accessRequest(username, chapOn ? 'chap' : 'pap', password);
    if (!result.accepted) {
      return this.serveLoginPage(response, dst, result.replyMessage ?? 'invalid username or password');
    }
    this.loggedIn = true;
    return redirect(response, dst || `${this.baseUrl}/status`);
  }

  /** One Access-Request as a MikroTik sends it, answered by Portico's RADIUS server. */
  private async accessRequest(
    userName: string,
    method: 'mac' | 'chap' | 'pap',
    password = '',
  ): Promise<RadiusExchange> {
    const secret = Buffer.from(this.options.secret);
    const authenticator = crypto.randomBytes(16);
    const packet = encodeRequest(
      Code.AccessRequest,
      crypto.randomInt(256),
      secret,
      { messageAuthenticator: true, authenticator },
      (w) => {
        w.string(Attr.UserName, userName);
        if (method === 'chap') {
          w.octets(Attr.ChapPassword, Buffer.concat([this.chap.id, Buffer.from(password, 'hex')]));
          w.octets(Attr.ChapChallenge, this.chap.challenge);
        } else {
          // mac-as-username-and-password: the MAC is the password too.
          const clear = method === 'mac' ? userName : password;
          w.octets(Attr.UserPassword, hidePassword(Buffer.from(clear), authenticator, secret));
        }
        w.ipAddress(Attr.NasIpAddress, '127.0.0.1');
        w.string(Attr.NasIdentifier, 'simulated-mikrotik');
        w.string(Attr.CallingStationId, this.options.clientMac);
        w.string(Attr.CalledStationId, 'hotspot1');
        w.ipAddress(Attr.FramedIpAddress, this.options.clientIp);
      },
    );
    const reply = await sendAndWait(packet, this.options.radiusPort);
    const decoded = decodePacket(reply);
    if (!decoded.ok) throw new Error('undecodable RADIUS reply');
    const exchange: RadiusExchange = {
      userName,
      method,
      accepted: decoded.packet.code === Code.AccessAccept,
      replyMessage: getString(decoded.packet, Attr.ReplyMessage),
    };
    this.radius.push(exchange);
    return exchange;
  }
}

function sendAndWait(packet: Buffer, port: number, timeoutMs = 5000): Promise<Buffer> {
  const socket = dgram.createSocket('udp4');
  return new Promise<Buffer>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error('RADIUS server is not responding'));
    }, timeoutMs);
    socket.on('message', (message) => {
      clearTimeout(timer);
      socket.close();
      resolve(message);
    });
    socket.send(packet, port, '127.0.0.1');
  });
}

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
}

function redirect(response: http.ServerResponse, location: string): void {
  response.statusCode = 302;
  response.setHeader('location', location);
  response.end();
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
