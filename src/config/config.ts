/**
 * The only reader of process.env. Every key is parsed and validated once; all problems are
 * reported together; the result is frozen and passed down.
 */
import net from 'node:net';
import path from 'node:path';
import ipaddr from 'ipaddr.js';

export interface Config {
  /** HTTP listen port and host. */
  port: number;
  host: string;
  /** Directory for the embedded SQLite database and the generated server secret. */
  dataDir: string;
  /** `postgres://…` or a SQLite file path. */
  databaseUrl: string;
  databaseIsEmbedded: boolean;
  /**
   * PostgreSQL: run repeated statements as prepared statements (DATABASE_PREPARED_STATEMENTS, on
   * by default). Off for a pooler in front that cannot keep them per client.
   */
  databasePreparedStatements: boolean;
  /** Seed the demo tenant: 'auto' = only into a new embedded database. */
  demo: 'auto' | 'always' | 'never';
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  bootstrapApiToken: string | undefined;
  /** Secret for keyed hashes (OTP codes); generated into dataDir when not given. */
  secret: string | undefined;
  /** Public base URL (e.g. https://wifi.example.com) used in SMS links; else taken from the request. */
  publicUrl: string | undefined;
  /**
   * Whose X-Forwarded-* headers to believe: false (nobody, the default), a hop count (that many
   * proxies in front, each appending), or the proxies' addresses and CIDR ranges. Never "all":
   * that would take the client's address from the leftmost X-Forwarded-For, which anyone can write.
   */
  trustProxy: TrustProxy;
  /**
   * Whether requests for a host name no tenant claims get the default tenant: 'auto' (while there
   * is one tenant), 'on', or 'off' (404).
   */
  hostFallback: 'auto' | 'on' | 'off';
  logLevel: string;
  /**
   * How often the usage worker runs: closes stale sessions, expires vouchers, and retries
   * Disconnect-Requests the hotspots have not confirmed (each under its own backoff).
   */
  sweepIntervalSeconds: number;
  /**
   * Destinations SMS gateways may reach although they are not public addresses
   * (PORTICO_SMS_ALLOWED_HOSTS): host names (exact, lower case) and networks (CIDR, an address
   * alone is a /32 or /128). Only the environment sets this, never a tenant admin.
   */
  smsAllowedHosts: AllowedDestinations;
  radius: {
    enabled: boolean;
    host: string;
    authPort: number;
    acctPort: number;
    /**
     * Accounting batches in flight at once per RADIUS thread on PostgreSQL
     * (RADIUS_ACCOUNTING_BATCHES_IN_FLIGHT, 1-16): one executes while another commits. Unset: 1
     * with more than one thread, else the recorder's default (2).
     */
    accountingBatchesInFlight: number | undefined;
    /**
     * Threads that answer RADIUS (RADIUS_THREADS, 1-16, default 1): the main thread and
     * threads - 1 workers sharing its ports (SO_REUSEPORT, Linux). PostgreSQL only.
     */
    threads: number;
  };
  /**
   * Where /metrics is served: with `token`, on the main HTTP port for `Authorization: Bearer
   * <token>`; with `port`, on a separate listener at `host` without a token. Neither: no /metrics.
   */
  metrics: { token: string | undefined; port: number | undefined; host: string };
  /** How long a graceful shutdown may take before the process exits anyway. */
  shutdownTimeoutSeconds: number;
}

export interface AllowedDestinations {
  hostNames: readonly string[];
  /** Normalised CIDR, e.g. `10.0.0.0/8`, `127.0.0.1/32`, `fd00::/8`. */
  networks: readonly string[];
}

const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/**
 * Parses a comma-separated list of host names, IP addresses and CIDR ranges
 * (`127.0.0.1,10.0.0.0/8,kannel.internal,[::1]`); returns the problems instead of throwing.
 */
export function parseAllowedDestinations(
  raw: string | undefined,
  key: string,
): { allowed: AllowedDestinations; problems: string[] } {
  const hostNames: string[] = [];
  const networks: string[] = [];
  const problems: string[] = [];
  for (const item of (raw ?? '').split(',')) {
    const entry = item
      .trim()
      .toLowerCase()
      .replace(/^\[(.*)\]$/, '$1');
    if (entry === '') continue;
    if (/^[\da-f.:]+\/\d+$/.test(entry)) {
      try {
        const [address, bits] = ipaddr.parseCIDR(entry);
        // The network address, so `10.1.2.3/8` reads back as `10.0.0.0/8`.
        const network =
          address.kind() === 'ipv4'
            ? ipaddr.IPv4.networkAddressFromCIDR(entry)
            : ipaddr.IPv6.networkAddressFromCIDR(entry);
        networks.push(`${network.toString()}/${bits}`);
      } catch {
        problems.push(`${key}: "${item.trim()}" is not a valid CIDR range (e.g. 10.0.0.0/8, fd00::/8)`);
      }
    } else if (ipaddr.IPv4.isValidFourPartDecimal(entry) || ipaddr.IPv6.isValid(entry)) {
      const address = ipaddr.parse(entry);
      networks.push(`${address.toString()}/${address.kind() === 'ipv4' ? 32 : 128}`);
    } else if (HOST_NAME.test(entry.replace(/\.$/, '')) && !/^[\d.]+$/.test(entry)) {
      hostNames.push(entry.replace(/\.$/, ''));
    } else {
      problems.push(
        `${key}: "${item.trim()}" is not a host name, an IP address or a CIDR range ` +
          '(e.g. 127.0.0.1,10.0.0.0/8,kannel.internal)',
      );
    }
  }
  return { allowed: { hostNames, networks }, problems };
}

export type TrustProxy = false | number | string[];

/** proxy-addr's names for address ranges, accepted in a TRUST_PROXY list. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** Parses TRUST_PROXY; pushes a problem and returns false when it is not valid. */
export function parseTrustProxy(raw: string | undefined, problems: string[]): TrustProxy {
  const value = raw?.trim().toLowerCase() ?? '';
  if (value === '' || ['0', 'false', 'no', 'off'].includes(value)) return false;
  if (['true', 'yes', 'on'].includes(value)) {
    problems.push(
      'TRUST_PROXY must be the number of reverse proxies in front of Portico (e.g. 1) or their addresses ' +
        `(e.g. 10.0.0.5,192.168.0.0/24); "${raw}" would trust any X-Forwarded-For, which clients can forge`,
    );
    return false;
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops >= 1 && hops <= 10) return hops;
    problems.push(`TRUST_PROXY as a hop count must be 1-10, got "${raw}"`);
    return false;
  }
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const bad = entries.filter((entry) => !PROXY_RANGE_NAMES.includes(entry) && !isAddressOrCidr(entry));
  if (bad.length > 0) {
    problems.push(
      `TRUST_PROXY must be a hop count (1-10) or a comma-separated list of proxy addresses or CIDR ranges ` +
        `(or loopback, linklocal, uniquelocal); not an address: ${bad.map((b) => `"${b}"`).join(', ')}`,
    );
    return false;
  }
  return entries;
}

function isAddressOrCidr(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = net.isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (version === 4 ? 32 : 128);
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Readonly<Config> {
  const problems: string[] = [];

  const port = (key: string, fallback: number): number => {
    const raw = env[key];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0 || value > 65_535) {
      problems.push(`${key} must be a port number 0-65535, got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const raw = env[key]?.toLowerCase();
    if (raw === undefined || raw === '') return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${key} must be 1/0 (or true/false), got "${env[key]}"`);
    return fallback;
  };

  const dataDir = path.resolve(env.PORTICO_DATA_DIR || './data');
  const databaseUrl = env.DATABASE_URL || path.join(dataDir, 'portico.sqlite');
  const databaseIsEmbedded = !/^postgres(ql)?:\/\//.test(databaseUrl);
  if (env.DATABASE_URL && /^[a-z]+:\/\//.test(env.DATABASE_URL) && databaseIsEmbedded) {
    problems.push(`DATABASE_URL must be postgres://… or a SQLite file path, got "${env.DATABASE_URL}"`);
  }

  const demoRaw = env.PORTICO_DEMO;
  let demo: Config['demo'] = 'auto';
  if (demoRaw === '1' || demoRaw === 'true') demo = 'always';
  else if (demoRaw === '0' || demoRaw === 'false') demo = 'never';
  else if (demoRaw !== undefined && demoRaw !== '')
    problems.push(`PORTICO_DEMO must be 1 or 0, got "${demoRaw}"`);

  const adminEmail = env.PORTICO_ADMIN_EMAIL || undefined;
  const adminPassword = env.PORTICO_ADMIN_PASSWORD || undefined;
  if ((adminEmail === undefined) !== (adminPassword === undefined)) {
    problems.push('PORTICO_ADMIN_EMAIL and PORTICO_ADMIN_PASSWORD must be set together');
  }
  if (adminPassword !== undefined && adminPassword.length < 12) {
    problems.push('PORTICO_ADMIN_PASSWORD must be at least 12 characters');
  }
  const bootstrapApiToken = env.PORTICO_BOOTSTRAP_API_TOKEN || undefined;
  if (bootstrapApiToken !== undefined && bootstrapApiToken.length < 32) {
    problems.push('PORTICO_BOOTSTRAP_API_TOKEN must be at least 32 characters');
  }
  const secret = env.PORTICO_SECRET || undefined;
  if (secret !== undefined && secret.length < 32)
    problems.push('PORTICO_SECRET must be at least 32 characters');

  // Every process sharing a PostgreSQL database must hash one-time codes with the same key; a
  // secret generated into one machine's data directory cannot be shared, so it must be given.
  if (secret === undefined && !databaseIsEmbedded)
    problems.push(
      'PORTICO_SECRET is required with PostgreSQL: the same value (at least 32 characters, e.g. `openssl rand -hex 32`) on every process sharing the database',
    );

  const metricsToken = env.PORTICO_METRICS_TOKEN || undefined;
  if (metricsToken !== undefined && metricsToken.length < 16)
    problems.push('PORTICO_METRICS_TOKEN must be at least 16 characters');
  const metricsPortRaw = env.PORTICO_METRICS_PORT;
  const metricsPort =
    metricsPortRaw === undefined || metricsPortRaw === '' ? undefined : port('PORTICO_METRICS_PORT', 0);

  const shutdownRaw = env.PORTICO_SHUTDOWN_TIMEOUT_SECONDS;
  let shutdownTimeoutSeconds = 15;
  if (shutdownRaw !== undefined && shutdownRaw !== '') {
    const value = Number(shutdownRaw);
    if (Number.isInteger(value) && value >= 1 && value <= 600) shutdownTimeoutSeconds = value;
    else
      problems.push(
        `PORTICO_SHUTDOWN_TIMEOUT_SECONDS must be a whole number of seconds 1-600, got "${shutdownRaw}"`,
      );
  }

  const publicUrl = env.PORTICO_PUBLIC_URL?.replace(/\/+$/, '') || undefined;
  if (publicUrl !== undefined && !/^https?:\/\/[^/\s]+$/.test(publicUrl)) {
    problems.push(
      `PORTICO_PUBLIC_URL must be an http(s) origin like https://wifi.example.com, got "${publicUrl}"`,
    );
  }

  const hostFallbackRaw = env.PORTICO_HOST_FALLBACK?.trim().toLowerCase() || 'auto';
  let hostFallback: Config['hostFallback'] = 'auto';
  if (hostFallbackRaw === 'on' || hostFallbackRaw === '1') hostFallback = 'on';
  else if (hostFallbackRaw === 'off' || hostFallbackRaw === '0') hostFallback = 'off';
  else if (hostFallbackRaw !== 'auto')
    problems.push(`PORTICO_HOST_FALLBACK must be auto, on or off, got "${env.PORTICO_HOST_FALLBACK}"`);

  const logLevel = env.LOG_LEVEL || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push(
      `LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "${logLevel}"`,
    );
  }

  const sweepRaw = env.PORTICO_SWEEP_INTERVAL_SECONDS;
  let sweepIntervalSeconds = 60;
  if (sweepRaw !== undefined && sweepRaw !== '') {
    const value = Number(sweepRaw);
    if (Number.isInteger(value) && value >= 5 && value <= 3600) sweepIntervalSeconds = value;
    else
      problems.push(
        `PORTICO_SWEEP_INTERVAL_SECONDS must be a whole number of seconds 5-3600, got "${sweepRaw}"`,
      );
  }

  const inFlightRaw = env.RADIUS_ACCOUNTING_BATCHES_IN_FLIGHT;
  let accountingBatchesInFlight: number | undefined;
  if (inFlightRaw !== undefined && inFlightRaw !== '') {
    const value = Number(inFlightRaw);
    if (Number.isInteger(value) && value >= 1 && value <= 16) accountingBatchesInFlight = value;
    else
      problems.push(`RADIUS_ACCOUNTING_BATCHES_IN_FLIGHT must be a whole number 1-16, got "${inFlightRaw}"`);
  }

  const threadsRaw = env.RADIUS_THREADS;
  let radiusThreads = 1;
  if (threadsRaw !== undefined && threadsRaw !== '') {
    const value = Number(threadsRaw);
    if (Number.isInteger(value) && value >= 1 && value <= 16) radiusThreads = value;
    else problems.push(`RADIUS_THREADS must be a whole number 1-16, got "${threadsRaw}"`);
  }
  // Each thread writes accounting in its own transactions; an embedded SQLite database has one
  // writer, and its threads would wait on each other's locks with the event loop blocked.
  if (radiusThreads > 1 && databaseIsEmbedded)
    problems.push(
      'RADIUS_THREADS above 1 needs PostgreSQL (DATABASE_URL=postgres://…): SQLite has one writer',
    );

  // Unset with several threads: one batch in flight per thread. Two threads then run as many batch
  // transactions at once as one thread does with its 2; with 2 each, Start/Stop answered fewer
  // at a higher p99 (bench/radius/README.md, fourth session).
  if (accountingBatchesInFlight === undefined && radiusThreads > 1) accountingBatchesInFlight = 1;

  const smsAllowed = parseAllowedDestinations(env.PORTICO_SMS_ALLOWED_HOSTS, 'PORTICO_SMS_ALLOWED_HOSTS');
  problems.push(...smsAllowed.problems);

  const config: Config = {
    port: port('PORT', 3000),
    host: env.HOST || '0.0.0.0',
    dataDir,
    databaseUrl,
    databaseIsEmbedded,
    databasePreparedStatements: bool('DATABASE_PREPARED_STATEMENTS', true),
    demo,
    adminEmail,
    adminPassword,
    bootstrapApiToken,
    secret,
    publicUrl,
    trustProxy: parseTrustProxy(env.TRUST_PROXY, problems),
    hostFallback,
    logLevel,
    sweepIntervalSeconds,
    smsAllowedHosts: smsAllowed.allowed,
    radius: {
      enabled: bool('RADIUS_ENABLED', true),
      host: env.RADIUS_HOST || '0.0.0.0',
      authPort: port('RADIUS_AUTH_PORT', 1812),
      acctPort: port('RADIUS_ACCT_PORT', 1813),
      accountingBatchesInFlight,
      threads: radiusThreads,
    },
    metrics: { token: metricsToken, port: metricsPort, host: env.PORTICO_METRICS_HOST || '127.0.0.1' },
    shutdownTimeoutSeconds,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    ...config,
    smsAllowedHosts: Object.freeze({
      hostNames: Object.freeze([...config.smsAllowedHosts.hostNames]),
      networks: Object.freeze([...config.smsAllowedHosts.networks]),
    }),
    trustProxy: Array.isArray(config.trustProxy) ? Object.freeze(config.trustProxy) : config.trustProxy,
    radius: Object.freeze(config.radius),
    metrics: Object.freeze(config.metrics),
  }) as Readonly<Config>;
}
