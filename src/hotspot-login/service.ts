/**
 * The hosted login page's logic, apart from HTTP: each hotspot's page, the voucher check in
 * plain words before the router is involved (the vouchers module's access policy decides, read
 * only), the login flow that survives the router's round trip, and the signed "voucher you just
 * used" link.
 */
import { parseMac } from '../devices/index.js';
import type { HotspotsService } from '../hotspots/index.js';
import {
  randomString,
  randomToken,
  sha256Hex,
  type Clock,
  type ErrorCode,
  type RandomSource,
} from '../shared/index.js';
import type { Voucher } from '../store/index.js';
import type { HotspotLoginSettings, TenantsRepository } from '../tenants/index.js';
import type { CustomerVoucher, VoucherAccessPolicy, VoucherPortalQueries } from '../vouchers/index.js';
import { AppError, validation } from '../shared/index.js';
import { FREE_ACCESS_TENANT_BOUNDS } from './free-access-model.js';
import type { HotspotLoginRepository, LoginBy, LoginFlow, LoginPage } from './repository.js';
import { isHostName } from './router-address.js';
import { ROUTER_FILE_NAMES, routerOsLoginPageConfig, type RouterFileName } from './router-files.js';
import { WELCOME_LINK_TTL_MS, type WelcomeLinks } from './welcome-link.js';

/** The largest logo accepted: it travels with the first page over a slow captive network. */
export const MAX_LOGO_BYTES = 100_000;

/** The image type a logo's first bytes say it is (PNG, JPEG, WebP, GIF; never SVG: it can script). */
export function logoType(bytes: Buffer): string | undefined {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'image/png';
  if (bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))) return 'image/jpeg';
  if (
    bytes.subarray(0, 4).toString('latin1') === 'RIFF' &&
    bytes.subarray(8, 12).toString('latin1') === 'WEBP'
  )
    return 'image/webp';
  if (/^GIF8[79]a$/.test(bytes.subarray(0, 6).toString('latin1'))) return 'image/gif';
  return undefined;
}

/** Public ids: 12 characters of a 32-symbol alphabet (60 bits), not guessable from the hotspot. */
const PUBLIC_ID_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
const PUBLIC_ID_LENGTH = 12;
/** A flow is a login in progress: the router answers within seconds, a guest within minutes. */
export const FLOW_TTL_MS = 30 * 60 * 1000;
/** After a router error, Portico retries with the fresh challenge at most this often per flow. */
export const MAX_ROUTER_ATTEMPTS = 2;
/** A router error this soon after Portico sent a checked code is the router's answer to it. */
export const ROUTER_ANSWER_WINDOW_MS = 5 * 60 * 1000;

export interface LoginPageInstallation {
  publicId: string;
  loginBy: LoginBy;
  loginPageUrl: string;
  files: Array<{ name: RouterFileName; url: string }>;
  routerOsConfig: string;
}

export type VoucherCheck = { ok: true; voucher: Voucher } | { ok: false; code: ErrorCode };

export class HotspotLoginService {
  constructor(
    private readonly deps: {
      repository: HotspotLoginRepository;
      hotspots: HotspotsService;
      policy: Pick<VoucherAccessPolicy, 'check'>;
      vouchers: Pick<VoucherPortalQueries, 'findById'>;
      /** Devices bound to a voucher (for the welcome view). */
      countDevices: (tenantId: number, voucherId: number) => Promise<number>;
      tenants: TenantsRepository;
      welcomeLinks: WelcomeLinks;
      clock: Clock;
      random: RandomSource;
    },
  ) {}

  /** The hotspot's login page, created on first use (the hotspot must be the tenant's). */
  async ensurePage(tenantId: number, hotspotId: number): Promise<LoginPage> {
    const existing = await this.deps.repository.findPageByHotspot(tenantId, hotspotId);
    if (existing) return existing;
    await this.deps.hotspots.get(tenantId, hotspotId); // NOT_FOUND for another tenant's id
    await this.deps.repository.insertPage(
      {
        tenantId,
        hotspotId,
        publicId: randomString(PUBLIC_ID_LENGTH, PUBLIC_ID_ALPHABET, this.deps.random),
        loginBy: 'chap',
      },
      this.deps.clock.nowMs(),
    );
    const page = await this.deps.repository.findPageByHotspot(tenantId, hotspotId);
    if (!page) throw new Error('the hotspot login page was not created');
    return page;
  }

  findPage(tenantId: number, publicId: string): Promise<LoginPage | undefined> {
    if (!/^[a-z0-9]{12}$/.test(publicId)) return Promise.resolve(undefined);
    return this.deps.repository.findPageByPublicId(tenantId, publicId);
  }

  async setLoginBy(tenantId: number, hotspotId: number, loginBy: LoginBy): Promise<LoginPage> {
    await this.ensurePage(tenantId, hotspotId);
    await this.deps.repository.setLoginBy(tenantId, hotspotId, loginBy, this.deps.clock.nowMs());
    return this.ensurePage(tenantId, hotspotId);
  }

  settings(tenantId: number): Promise<HotspotLoginSettings> {
    return this.deps.tenants.getSettings(tenantId, 'hotspotLogin');
  }

  /** The logo's address on the login page, if the tenant has one. */
  async logoUrl(tenantId: number): Promise<string | undefined> {
    const info = await this.deps.repository.logoInfo(tenantId);
    return info && `/hotspot/logo/${info.sha256}`;
  }

  logo(tenantId: number, sha256: string): Promise<{ contentType: string; bytes: Buffer } | undefined> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) return Promise.resolve(undefined);
    return this.deps.repository.logo(tenantId, sha256);
  }

  /** Stores the tenant's logo: a PNG, JPEG, WebP or GIF of at most MAX_LOGO_BYTES. */
  async setLogo(tenantId: number, bytes: Buffer): Promise<void> {
    if (bytes.length === 0) throw validation('Choose an image file for the logo');
    if (bytes.length > MAX_LOGO_BYTES)
      throw validation(
        `The logo must be at most ${MAX_LOGO_BYTES / 1000} KB (this one is ${Math.ceil(bytes.length / 1000)} KB)`,
      );
    const contentType = logoType(bytes);
    if (!contentType) throw validation('The logo must be a PNG, JPEG, WebP or GIF image');
    await this.deps.repository.putLogo(
      tenantId,
      { contentType, bytes, sha256: sha256Hex(bytes) },
      this.deps.clock.nowMs(),
    );
  }

  removeLogo(tenantId: number): Promise<void> {
    return this.deps.repository.deleteLogo(tenantId);
  }

  /** Config > Login page: checked all together, stored, returned. */
  async updateSettings(
    tenantId: number,
    patch: Partial<HotspotLoginSettings>,
  ): Promise<HotspotLoginSettings> {
    const next = { ...(await this.settings(tenantId)) };
    const problems: Record<string, string> = {};
    if (patch.accentColor !== undefined) {
      const colour = patch.accentColor.trim().toLowerCase();
      if (!/^#[0-9a-f]{6}$/.test(colour)) problems.accentColor = 'Colour looks like #0b5cad';
      else next.accentColor = colour;
    }
    if (patch.welcomeText !== undefined) {
      const welcome = patch.welcomeText.trim();
      if (welcome.length > 120) problems.welcomeText = 'Welcome line must be at most 120 characters';
      else next.welcomeText = welcome;
    }
    if (patch.openPortalAfterLogin !== undefined) next.openPortalAfterLogin = patch.openPortalAfterLogin;
    if (patch.routerLoginHosts !== undefined) {
      const hosts = [...new Set(patch.routerLoginHosts.map((h) => h.trim().toLowerCase()).filter(Boolean))];
      const bad = hosts.filter((h) => !isHostName(h));
      if (bad.length > 0 || hosts.length > 20)
        problems.routerLoginHosts =
          'Router login addresses are DNS names such as login.cafe.example (at most 20)';
      else next.routerLoginHosts = hosts;
    }
    const limits: Array<['freeAccessCodesPerDay' | 'smsBudgetPerMonth', string]> = [
      ['freeAccessCodesPerDay', 'Free access codes per day'],
      ['smsBudgetPerMonth', 'SMS budget per month'],
    ];
    for (const [key, label] of limits) {
      const value = patch[key];
      if (value === undefined) continue;
      const [min, max] = FREE_ACCESS_TENANT_BOUNDS[key];
      if (!Number.isInteger(value) || value < min || value > max)
        problems[key] = `${label} must be a whole number from ${min} to ${max}`;
      else next[key] = value;
    }
    if (Object.keys(problems).length > 0) throw validation('Please correct the login page fields', problems);
    await this.deps.tenants.putSettings(tenantId, 'hotspotLogin', next, this.deps.clock.nowMs());
    return next;
  }

  /**
   * What an operator needs to install the page on a router: its address, the files and the
   * RouterOS commands. `origin` is where guests reach Portico (https://host).
   */
  async installation(tenantId: number, hotspotId: number, origin: string): Promise<LoginPageInstallation> {
    const page = await this.ensurePage(tenantId, hotspotId);
    const base = `${origin}/hotspot/${page.publicId}`;
    let host: string;
    try {
      host = new URL(origin).hostname;
    } catch {
      throw new AppError('VALIDATION', 'Portico’s public address is not a URL');
    }
    return {
      publicId: page.publicId,
      loginBy: page.loginBy,
      loginPageUrl: `${base}/login`,
      files: ROUTER_FILE_NAMES.map((name) => ({ name, url: `${base}/files/${name}` })),
      routerOsConfig: routerOsLoginPageConfig({
        porticoHost: host,
        filesBaseUrl: `${base}/files/`,
        loginBy: page.loginBy,
      }),
    };
  }

  /** A router downloaded the page's login.html: the page is installed (checklist step). */
  filesFetched(page: LoginPage): Promise<void> {
    return this.deps.repository.markFilesFetched(page.tenantId, page.hotspotId, this.deps.clock.nowMs());
  }

  /** Whether any router of the tenant has downloaded its login page files. */
  isInstalled(tenantId: number): Promise<boolean> {
    return this.deps.repository.anyFilesFetched(tenantId);
  }

  /** What the router would say to this code from this device, before asking it. */
  checkVoucher(tenantId: number, code: string, mac: string | undefined): Promise<VoucherCheck> {
    return this.deps.policy.check(tenantId, code, mac);
  }

  /** Starts a flow for a checked voucher; returns the flow id (only its hash is stored). */
  async startFlow(input: {
    page: LoginPage;
    mac: string | undefined;
    voucherId: number;
    linkOrig: string | undefined;
  }): Promise<string> {
    const nowMs = this.deps.clock.nowMs();
    const token = randomToken(this.deps.random, 16);
    await this.deps.repository.deleteFlowsBefore(input.page.tenantId, nowMs - FLOW_TTL_MS);
    await this.deps.repository.insertFlow({
      tenantId: input.page.tenantId,
      hotspotId: input.page.hotspotId,
      tokenHash: sha256Hex(token),
      mac: (input.mac && parseMac(input.mac)) ?? null,
      voucherId: input.voucherId,
      linkOrig: input.linkOrig ?? null,
      nowMs,
    });
    return token;
  }

  /** The live flow with this id at this page, else undefined. */
  async findFlow(page: LoginPage, token: string): Promise<LoginFlow | undefined> {
    if (!/^[A-Za-z0-9_-]{16,64}$/.test(token)) return undefined;
    const flow = await this.deps.repository.findFlow(page.tenantId, sha256Hex(token));
    if (!flow || flow.hotspotId !== page.hotspotId) return undefined;
    if (flow.createdAtMs + FLOW_TTL_MS <= this.deps.clock.nowMs()) return undefined;
    return flow;
  }

  /**
   * The router sent the guest back with an error right after Portico sent it a checked voucher:
   * most often its challenge changed meanwhile (a second login.html, a reopened sheet). Returns
   * the voucher to try once more with the router's fresh challenge, or undefined (then the
   * router's error is shown). Only for the same device (MAC) and a voucher still good.
   */
  async retryAfterRouterError(
    page: LoginPage,
    flow: LoginFlow,
    mac: string | undefined,
  ): Promise<Voucher | undefined> {
    const nowMs = this.deps.clock.nowMs();
    if (flow.voucherId === null || flow.completedAtMs !== null) return undefined;
    if (flow.routerAttempts >= MAX_ROUTER_ATTEMPTS) return undefined;
    if (flow.attemptedAtMs === null || flow.attemptedAtMs + ROUTER_ANSWER_WINDOW_MS <= nowMs)
      return undefined;
    const clientMac = mac ? parseMac(mac) : undefined;
    if (flow.mac !== null && flow.mac !== clientMac) return undefined;
    const voucher = await this.deps.vouchers.findById(page.tenantId, flow.voucherId);
    if (!voucher) return undefined;
    const check = await this.checkVoucher(page.tenantId, voucher.code, clientMac);
    if (!check.ok) return undefined;
    if (!(await this.deps.repository.countAttempt(page.tenantId, flow.id, flow.routerAttempts, nowMs)))
      return undefined;
    return check.voucher;
  }

  /** The router let the guest in: where to send them now. */
  async completeFlow(
    page: LoginPage,
    flow: LoginFlow,
  ): Promise<{ welcomeToken?: string; linkOrig: string | null }> {
    const nowMs = this.deps.clock.nowMs();
    await this.deps.repository.complete(page.tenantId, flow.id, nowMs);
    const settings = await this.settings(page.tenantId);
    if (!settings.openPortalAfterLogin || flow.voucherId === null) return { linkOrig: flow.linkOrig };
    return {
      welcomeToken: this.deps.welcomeLinks.sign({
        tenantId: page.tenantId,
        voucherId: flow.voucherId,
        expiresAtMs: nowMs + WELCOME_LINK_TTL_MS,
      }),
      linkOrig: flow.linkOrig,
    };
  }

  /** The voucher a signed welcome link is for, or undefined (bad, expired, other tenant). */
  async welcomeVoucher(
    tenantId: number,
    token: string,
  ): Promise<{ voucher: CustomerVoucher; devices: number } | undefined> {
    const claims = this.deps.welcomeLinks.verify(token, tenantId, this.deps.clock.nowMs());
    if (!claims) return undefined;
    const voucher = await this.deps.vouchers.findById(tenantId, claims.voucherId);
    if (!voucher) return undefined;
    return { voucher, devices: await this.deps.countDevices(tenantId, voucher.id) };
  }
}
