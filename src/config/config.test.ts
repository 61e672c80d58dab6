import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.js';

describe('config', () => {
  it('requires PORTICO_SECRET with PostgreSQL (one secret for every process)', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db/portico' })).toThrow(
      /PORTICO_SECRET is required with PostgreSQL/,
    );
    expect(loadConfig({ DATABASE_URL: 'postgres://db/portico', PORTICO_SECRET: 's'.repeat(32) }).secret).toBe(
      's'.repeat(32),
    );
    // The embedded database generates one into the data directory.
    expect(loadConfig({}).secret).toBeUndefined();
  });

  it('reads the metrics and shutdown settings, refusing bad values together', () => {
    const config = loadConfig({ PORTICO_METRICS_TOKEN: 't'.repeat(20), PORTICO_METRICS_PORT: '9464' });
    expect(config.metrics).toEqual({ token: 't'.repeat(20), port: 9464, host: '127.0.0.1' });
    expect(config.shutdownTimeoutSeconds).toBe(15);
    expect(loadConfig({}).metrics).toEqual({ token: undefined, port: undefined, host: '127.0.0.1' });
    try {
      loadConfig({
        PORTICO_METRICS_TOKEN: 'short',
        PORTICO_METRICS_PORT: 'x',
        PORTICO_SHUTDOWN_TIMEOUT_SECONDS: '0',
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([
        'PORTICO_METRICS_TOKEN must be at least 16 characters',
        'PORTICO_METRICS_PORT must be a port number 0-65535, got "x"',
        'PORTICO_SHUTDOWN_TIMEOUT_SECONDS must be a whole number of seconds 1-600, got "0"',
      ]);
    }
  });

  it('reads how many accounting batches may be in flight (PostgreSQL), 1-16; one per thread with several', () => {
    expect(loadConfig({}).radius.accountingBatchesInFlight).toBeUndefined();
    expect(loadConfig({ RADIUS_ACCOUNTING_BATCHES_IN_FLIGHT: '3' }).radius.accountingBatchesInFlight).toBe(3);
    const pg = { DATABASE_URL: 'postgres://db/portico', PORTICO_SECRET: 'x'.repeat(32), RADIUS_THREADS: '2' };
    expect(loadConfig(pg).radius.accountingBatchesInFlight).toBe(1);
    expect(
      loadConfig({ ...pg, RADIUS_ACCOUNTING_BATCHES_IN_FLIGHT: '2' }).radius.accountingBatchesInFlight,
    ).toBe(2);
    expect(() => loadConfig({ RADIUS_ACCOUNTING_BATCHES_IN_FLIGHT: '0' })).toThrow(
      /RADIUS_ACCOUNTING_BATCHES_IN_FLIGHT must be a whole number 1-16, got "0"/,
    );
  });

  it('reads how many threads answer RADIUS, 1-16, more than one only on PostgreSQL', () => {
    expect(loadConfig({}).radius.threads).toBe(1);
    const pg = { DATABASE_URL: 'postgres://db/portico', PORTICO_SECRET: 'x'.repeat(32) };
    expect(loadConfig({ ...pg, RADIUS_THREADS: '2' }).radius.threads).toBe(2);
    expect(() => loadConfig({ ...pg, RADIUS_THREADS: '17' })).toThrow(
      /RADIUS_THREADS must be a whole number 1-16, got "17"/,
    );
    expect(() => loadConfig({ RADIUS_THREADS: '2' })).toThrow(/RADIUS_THREADS above 1 needs PostgreSQL/);
  });

  it('prepares repeated statements on PostgreSQL unless told not to', () => {
    expect(loadConfig({}).databasePreparedStatements).toBe(true);
    expect(loadConfig({ DATABASE_PREPARED_STATEMENTS: '0' }).databasePreparedStatements).toBe(false);
    expect(() => loadConfig({ DATABASE_PREPARED_STATEMENTS: 'maybe' })).toThrow(
      /DATABASE_PREPARED_STATEMENTS must be 1\/0 \(or true\/false\), got "maybe"/,
    );
  });
});
