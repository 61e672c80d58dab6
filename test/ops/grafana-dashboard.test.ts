/** The sample Grafana dashboard only queries metrics that Portico exports (names drift otherwise). */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/metrics/index.js';

describe('docs/grafana-dashboard.json', () => {
  it('uses only metric names the registry has', async () => {
    const dashboard = JSON.parse(fs.readFileSync('docs/grafana-dashboard.json', 'utf8')) as {
      panels: Array<{ targets?: Array<{ expr: string }> }>;
    };
    const used = new Set<string>();
    for (const panel of dashboard.panels)
      for (const target of panel.targets ?? [])
        for (const [name] of target.expr.matchAll(/\b(portico|nodejs|process)_[a-z0-9_]+/g))
          used.add(name.replace(/_(bucket|count|sum)$/, ''));
    const metrics = new Metrics({ defaultMetrics: true });
    const exported = new Set((await metrics.registry.getMetricsAsJSON()).map((m) => m.name));
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
  });
});
