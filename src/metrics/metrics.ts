/**
 * Prometheus metrics (prom-client), one registry per app. Modules never import this: they
 * expose small observer callbacks or stats, and the composition root (app.ts) wires them here.
 * Counters that a module already keeps (RADIUS drops) are read at scrape time.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What the scrape-time gauges read; each may be absent (RADIUS off, SQLite has no pool). */
export interface MetricsSources {
  radiusStats?: () =>
    | {
        received: number;
        answered: number;
        duplicatesAnswered: number;
        dropped: Partial<Record<string, number>>;
      }
    | undefined;
  accountingQueueLength?: () => number;
  /** Queued SMS (all tenants): waiting for a retry and due now. */
  smsOutbox?: () => Promise<{ queued: number; due: number }>;
  dbPool?: () => { total: number; idle: number; waiting: number; max: number } | undefined;
}

export type RadiusRequestType = 'access' | 'accounting';
export type OtpEvent = 'requested' | 'sent' | 'rate_limited' | 'verified' | 'failed';

export class Metrics {
  readonly registry = new Registry();
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly radiusRequests: Counter<'type' | 'result'>;
  private readonly radiusDuration: Histogram<'type'>;
  private readonly accountingBatchSize: Histogram;
  private readonly accountingCommit: Histogram<'outcome'>;
  private readonly disconnects: Counter<'outcome'>;
  private readonly smsSends: Counter<'gateway' | 'outcome'>;
  private readonly otp: Counter<'event'>;

  constructor(options: { defaultMetrics: boolean; sources?: MetricsSources }) {
    const registry = this.registry;
    const sources = options.sources ?? {};
    // Process CPU, memory, GC, handles and event-loop delay (nodejs_eventloop_lag_*_seconds).
    if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: '' });

    this.httpDuration = new Histogram({
      name: 'portico_http_request_duration_seconds',
      help: 'HTTP requests by route pattern, method and status, with their latency',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    this.radiusRequests = new Counter({
      name: 'portico_radius_requests_total',
      help: 'Validated RADIUS requests handled, by type (access, accounting) and result',
      labelNames: ['type', 'result'],
      registers: [registry],
    });
    this.radiusDuration = new Histogram({
      name: 'portico_radius_request_duration_seconds',
      help: 'Time from a validated RADIUS request to its decision (accounting: to its commit)',
      labelNames: ['type'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    });
    // The RADIUS server counts packets itself; these mirror its counters at scrape time.
    type RadiusStats = NonNullable<ReturnType<NonNullable<MetricsSources['radiusStats']>>>;
    const mirrored = (name: string, help: string, read: (stats: RadiusStats) => Record<string, number>) =>
      new Counter({
        name,
        help,
        labelNames: name.endsWith('drops_total') ? ['reason'] : [],
        registers: [registry],
        collect() {
          const stats = sources.radiusStats?.();
          if (!stats) return;
          this.reset();
          for (const [reason, value] of Object.entries(read(stats)))
            this.inc(reason === '' ? {} : { reason }, value);
        },
      });
    mirrored('portico_radius_packets_received_total', 'RADIUS datagrams received', (s) => ({
      '': s.received,
    }));
    mirrored('portico_radius_answers_total', 'RADIUS answers sent', (s) => ({ '': s.answered }));
    mirrored(
      'portico_radius_duplicates_answered_total',
      'Retransmissions answered from the duplicate cache',
      (s) => ({ '': s.duplicatesAnswered }),
    );
    mirrored('portico_radius_drops_total', 'RADIUS datagrams dropped without an answer, by reason', (s) =>
      Object.fromEntries(Object.entries(s.dropped).map(([reason, count]) => [reason, count ?? 0])),
    );
    this.accountingBatchSize = new Histogram({
      name: 'portico_accounting_batch_size',
      help: 'Accounting records per group-commit transaction',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
      registers: [registry],
    });
    this.accountingCommit = new Histogram({
      name: 'portico_accounting_commit_duration_seconds',
      help: 'Duration of one accounting batch transaction (retries included), by outcome',
      labelNames: ['outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    new Gauge({
      name: 'portico_accounting_queue_length',
      help: 'Accounting records waiting for the next batch',
      registers: [registry],
      collect() {
        const length = sources.accountingQueueLength?.();
        if (length !== undefined) this.set(length);
      },
    });
    this.disconnects = new Counter({
      name: 'portico_disconnect_requests_total',
      help: 'Disconnect-Requests (RFC 5176) sent to hotspots, by outcome (acked, nacked, timeout, error)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.smsSends = new Counter({
      name: 'portico_sms_sends_total',
      help: 'SMS send attempts by gateway type and outcome (sent, failed)',
      labelNames: ['gateway', 'outcome'],
      registers: [registry],
    });
    new Gauge({
      name: 'portico_sms_outbox_messages',
      help: 'SMS waiting in the shared outbox (all processes): queued, and due now',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        const depth = await sources.smsOutbox?.().catch(() => undefined);
        if (!depth) return;
        this.set({ state: 'queued' }, depth.queued);
        this.set({ state: 'due' }, depth.due);
      },
    });
    this.otp = new Counter({
      name: 'portico_otp_events_total',
      help: 'Portal one-time codes: requested, sent (SMS queued: a registered number), rate_limited, verified, failed',
      labelNames: ['event'],
      registers: [registry],
    });
    new Gauge({
      name: 'portico_db_pool_connections',
      help: 'PostgreSQL pool connections: total open, idle, clients waiting, configured max',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const pool = sources.dbPool?.();
        if (!pool) return;
        for (const [state, value] of Object.entries(pool)) this.set({ state }, value);
      },
    });
  }

  /** One HTTP request; `route` is the route pattern (never the raw URL: bounded labels). */
  httpRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status: String(status) }, seconds);
  }

  radiusRequest(type: RadiusRequestType, result: string, seconds: number): void {
    this.radiusRequests.inc({ type, result });
    this.radiusDuration.observe({ type }, seconds);
  }

  accountingBatch(records: number, commitSeconds: number, ok: boolean): void {
    this.accountingBatchSize.observe(records);
    this.accountingCommit.observe({ outcome: ok ? 'committed' : 'failed' }, commitSeconds);
  }

  disconnect(outcome: 'acked' | 'nacked' | 'timeout' | 'error'): void {
    this.disconnects.inc({ outcome });
  }

  smsSend(gateway: string, outcome: 'sent' | 'failed'): void {
    this.smsSends.inc({ gateway, outcome });
  }

  otpEvent(event: OtpEvent): void {
    this.otp.inc({ event });
  }

  /** The exposition text (Prometheus text format 0.0.4). */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
