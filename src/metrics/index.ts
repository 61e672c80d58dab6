/** The metrics module's door: the Prometheus registry and where /metrics is served. */
export { Metrics, type MetricsSources, type OtpEvent, type RadiusRequestType } from './metrics.js';
export { instrumentHttp, metricsRoute, startMetricsServer } from './expose.js';
