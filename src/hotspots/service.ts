import net from 'node:net';
import type { Logger } from 'pino';
import {
  AppError,
  cleanName,
  type Clock,
  cryptoRandom,
  NAME_MAX_CHARS,
  type RandomSource,
  randomString,
  validation,
} from '../shared/index.js';
import type { Hotspot } from '../store/index.js';
import type { HotspotsRepository } from './repository.js';
import type { DisconnectEndpoint, HotspotValues, NasRecord } from './repository.js';

export interface HotspotInput {
  title: string;
  vendor?: 'mikrotik' | 'generic';
  ipAddress: string;
  /** Omit (or leave empty) to generate a strong one. */
  secret?: string;
  coaPort?: number;
  requireMessageAuthenticator?: boolean;
  interimIntervalSeconds?: number;
  location?: string | null;
}

const SECRET_ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
/** 24 characters of a 56-symbol alphabet: ~139 bits, and no characters RouterOS needs quoted. */
const SECRET_LENGTH = 24;
/** RFC 2869 §5.16: Acct-Interim-Interval SHOULD NOT be smaller than 60 s. */
export const MIN_INTERIM_INTERVAL_SECONDS = 60;

export function generateRadiusSecret(random: RandomSource = cryptoRandom): string {
  return randomString(SECRET_LENGTH, SECRET_ALPHABET, random);
}

/**
 * Hotspots (NAS): CRUD for operators, and the cached source-IP lookup for the RADIUS server.
 */
export class HotspotsService {
  private readonly cache = new Map<string, { nas: NasRecord | undefined; expiresAtMs: number }>();
  /** Lookups at the database: packets arriving meanwhile wait for the same one (no stampede). */
  private readonly lookups = new Map<string, Promise<NasRecord | undefined>>();
  private readonly changeListeners = new Set<() => void>();

  constructor(
    private readonly repository: HotspotsRepository,
    private readonly clock: Clock,
    private readonly random: RandomSource = cryptoRandom,
    private readonly logger?: Logger,
    /** How long a source-IP lookup (found or not) is reused; edits show up within this time. */
    private readonly cacheTtlMs = 5_000,
  ) {}

  /**
   * The NAS for a RADIUS source IP, cached briefly (negative answers too, so a flood from an
   * unknown source costs one query per TTL). The cache is bounded.
   */
  /** Where the hotspot takes Disconnect-Requests (the usage module's HotspotDirectory port). */
  disconnectTarget(tenantId: number, hotspotId: number): Promise<DisconnectEndpoint | undefined> {
    return this.repository.findDisconnectTarget(tenantId, hotspotId);
  }

  async findNasByIp(ipAddress: string): Promise<NasRecord | undefined> {
    const nowMs = Date.now();
    const cached = this.cache.get(ipAddress);
    if (cached && cached.expiresAtMs > nowMs) return cached.nas;
    // Under load, hundreds of packets from one NAS arrive while the refresh is at the database:
    // they share it (measured: 200 identical queries per 6 s before, one per TTL after).
    const pending = this.lookups.get(ipAddress);
    if (pending) return pending;
    const lookup = this.repository
      .findNasByIp(ipAddress)
      .then((nas) => {
        if (this.cache.size >= 10_000) this.cache.clear();
        this.cache.set(ipAddress, { nas, expiresAtMs: nowMs + this.cacheTtlMs });
        return nas;
      })
      .finally(() => this.lookups.delete(ipAddress));
    this.lookups.set(ipAddress, lookup);
    return lookup;
  }

  /** Forgets cached lookups (after an edit in this process), and tells the listeners. */
  invalidate(): void {
    this.cache.clear();
    this.lookups.clear();
    for (const listener of this.changeListeners) listener();
  }

  /**
   * Called after every hotspot edit made through this service: other caches of the same lookups
   * (RADIUS threads) forget theirs at once rather than after their TTL. Returns the unsubscribe.
   */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Whether the tenant has added any hotspot (first-run checklist). */
  hasAny(tenantId: number): Promise<boolean> {
    return this.repository.hasAny(tenantId);
  }

  list(tenantId: number): Promise<Hotspot[]> {
    return this.repository.list(tenantId);
  }

  async get(tenantId: number, id: number): Promise<Hotspot> {
    const hotspot = await this.repository.findById(tenantId, id);
    if (!hotspot) throw new AppError('NOT_FOUND', 'Hotspot not found');
    return hotspot;
  }

  async create(tenantId: number, input: HotspotInput): Promise<Hotspot> {
    const values = this.validate(input, undefined);
    if (await this.repository.isIpTaken(values.ipAddress)) {
      throw new AppError('CONFLICT', 'Another hotspot already uses this IP address', { field: 'ipAddress' });
    }
    const hotspot = await this.repository.insert(tenantId, values, this.clock.nowMs());
    this.logRequirementChoice(hotspot);
    this.invalidate();
    return hotspot;
  }

  async update(tenantId: number, id: number, input: HotspotInput): Promise<Hotspot> {
    const current = await this.get(tenantId, id);
    const values = this.validate(input, current);
    if (await this.repository.isIpTaken(values.ipAddress, id)) {
      throw new AppError('CONFLICT', 'Another hotspot already uses this IP address', { field: 'ipAddress' });
    }
    const hotspot = await this.repository.update(tenantId, id, values, this.clock.nowMs());
    if (!hotspot) throw new AppError('NOT_FOUND', 'Hotspot not found');
    if (current.require_message_authenticator !== hotspot.require_message_authenticator) {
      this.logRequirementChoice(hotspot);
    }
    this.invalidate();
    return hotspot;
  }

  /** Deletes a hotspot; refused while sessions reference it (they are the usage history). */
  async delete(tenantId: number, id: number): Promise<void> {
    await this.get(tenantId, id);
    if (await this.repository.hasSessions(tenantId, id)) {
      throw new AppError('CONFLICT', 'This hotspot has sessions in the usage history and cannot be deleted');
    }
    await this.repository.delete(tenantId, id);
    this.invalidate();
  }

  private logRequirementChoice(hotspot: Hotspot): void {
    // Blast-RADIUS (CVE-2024-3596): not requiring Message-Authenticator is an explicit, logged choice.
    if (hotspot.require_message_authenticator === 0) {
      this.logger?.warn(
        { hotspotId: hotspot.id, tenantId: hotspot.tenant_id, ip: hotspot.ip_address },
        'hotspot does not require Message-Authenticator on Access-Request (Blast-RADIUS protection off)',
      );
    }
  }

  private validate(input: HotspotInput, current: Hotspot | undefined): HotspotValues {
    const problems: Record<string, string> = {};
    const title = cleanName(input.title);
    if (title.length < 1 || title.length > NAME_MAX_CHARS)
      problems.title = `Title must be 1 to ${NAME_MAX_CHARS} characters`;
    const ipAddress = input.ipAddress?.trim() ?? '';
    if (net.isIP(ipAddress) === 0) problems.ipAddress = 'Enter an IPv4 or IPv6 address';
    const vendor = input.vendor ?? (current?.vendor as 'mikrotik' | 'generic' | undefined) ?? 'mikrotik';
    if (vendor !== 'mikrotik' && vendor !== 'generic') problems.vendor = 'Vendor must be mikrotik or generic';
    let secret = input.secret?.trim() ?? '';
    if (secret === '') secret = current?.secret ?? generateRadiusSecret(this.random);
    if (secret.length < 8 || secret.length > 128) problems.secret = 'Secret must be 8 to 128 characters';
    const coaPort = input.coaPort ?? current?.coa_port ?? 3799;
    if (!Number.isInteger(coaPort) || coaPort < 1 || coaPort > 65_535)
      problems.coaPort = 'Port must be 1-65535';
    const interimIntervalSeconds = input.interimIntervalSeconds ?? current?.interim_interval_seconds ?? 300;
    if (
      !Number.isInteger(interimIntervalSeconds) ||
      interimIntervalSeconds < MIN_INTERIM_INTERVAL_SECONDS ||
      interimIntervalSeconds > 86_400
    ) {
      problems.interimIntervalSeconds = 'Interim interval must be 60 to 86400 seconds';
    }
    const location =
      input.location === undefined ? (current?.location ?? null) : cleanName(input.location) || null;
    if (location !== null && location.length > NAME_MAX_CHARS)
      problems.location = `Location must be at most ${NAME_MAX_CHARS} characters`;
    if (Object.keys(problems).length > 0) throw validation('Please correct the hotspot fields', problems);
    return {
      title,
      vendor,
      ipAddress,
      secret,
      coaPort,
      requireMessageAuthenticator:
        input.requireMessageAuthenticator ?? (current ? current.require_message_authenticator === 1 : true),
      interimIntervalSeconds,
      location,
    };
  }
}
