import type { FastifyInstance } from 'fastify';
import type { VNode } from 'preact';
import type { DashboardDay } from '../dashboard-queries.js';
import type { AdminDeps } from '../deps.js';
import type { AdminKit } from '../kit.js';
import { formatBytes } from '../views/components.js';

/** Two bar series over 30 days as an SVG (no inline styles: classes only, CSP-safe). */
function Chart({ days }: { days: DashboardDay[] }): VNode {
  const width = 600;
  const height = 160;
  const barWidth = width / days.length;
  const maxActivations = Math.max(1, ...days.map((d) => d.activations));
  const maxData = Math.max(1, ...days.map((d) => d.dataBytes));
  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${width} ${height + 20}`}
        role="img"
        aria-label="Activations and data per day, last 30 days"
      >
        {days.map((d, i) => {
          const a = (d.activations / maxActivations) * height;
          const b = (d.dataBytes / maxData) * height;
          const x = i * barWidth;
          return (
            <g>
              <title>{`${d.day}: ${d.activations} activations, ${formatBytes(d.dataBytes)}`}</title>
              <rect class="bar-data" x={x + 1} y={height - b} width={barWidth / 2 - 1} height={b} />
              <rect
                class="bar-activations"
                x={x + barWidth / 2}
                y={height - a}
                width={barWidth / 2 - 1}
                height={a}
              />
            </g>
          );
        })}
        <text x="0" y={height + 15} class="axis">
          {days[0]?.day}
        </text>
        <text x={width} y={height + 15} class="axis" text-anchor="end">
          {days[days.length - 1]?.day}
        </text>
      </svg>
      <figcaption>
        <span class="key key-data">Data</span> (highest day{' '}
        {formatBytes(Math.max(0, ...days.map((d) => d.dataBytes)))}) ·{' '}
        <span class="key key-activations">Activations</span> (highest day{' '}
        {Math.max(0, ...days.map((d) => d.activations))})
      </figcaption>
    </figure>
  );
}

export async function dashboardPage(admin: FastifyInstance, deps: AdminDeps, kit: AdminKit): Promise<void> {
  admin.get('/admin', async (request, reply) => {
    const f = await deps.dashboard.figures(request.tenant);
    return kit.render(request, reply, {
      title: 'Dashboard',
      body: (
        <>
          <dl class="tiles">
            <div>
              <dt>Online now</dt>
              <dd data-figure="online">{f.onlineNow}</dd>
            </div>
            <div>
              <dt>Vouchers activated today</dt>
              <dd data-figure="activated">{f.activatedToday}</dd>
            </div>
            <div>
              <dt>Data used today</dt>
              <dd data-figure="data">{formatBytes(f.dataTodayBytes)}</dd>
            </div>
            <div>
              <dt>SMS sent / failed today</dt>
              <dd data-figure="sms">
                {f.smsSentToday} / {f.smsFailedToday}
              </dd>
            </div>
          </dl>
          <h2>Last 30 days</h2>
          <Chart days={f.days} />
        </>
      ),
    });
  });
}
