import type { FastifyPluginAsync } from 'fastify';
import type { VNode } from 'preact';
import type { DashboardDay } from '../dashboard-queries.js';
import { adminKit as kit } from '../kit.js';
import { canWrite } from '../../auth/index.js';
import { countOf } from '../../shared/index.js';
import type { Tenant } from '../../store/index.js';
import type { SetupProgress, SetupStep } from '../setup-progress.js';
import { formatBytes } from '../views/components.js';

/** The first-run checklist: each step, where it is done, and why it matters. */
const STEPS: Array<{ step: SetupStep; title: string; href: string; link: string; why: string }> = [
  {
    step: 'plan',
    title: 'Create a plan',
    href: '/admin/plans/new',
    link: 'New plan',
    why: 'what you sell: price, speed, data and time limits',
  },
  {
    step: 'hotspot',
    title: 'Add your hotspot',
    href: '/admin/hotspots/new',
    link: 'New hotspot',
    why: 'the router guests connect through; its page gives you the RouterOS configuration, the hosted login page and the files for the router',
  },
  {
    step: 'loginPage',
    title: 'Install the login page on your router',
    href: '/admin/hotspots',
    link: 'Hotspots',
    why: 'on the hotspot’s page: the RouterOS commands and login.html hand guests to your hosted login page (voucher codes in plain words, free access by phone); done once a router has downloaded it',
  },
  {
    step: 'smsGateway',
    title: 'Set up an SMS gateway',
    href: '/admin/config/sms-gateways',
    link: 'SMS gateways',
    why: 'to text vouchers, portal links and sign-in codes',
  },
  {
    step: 'portal',
    title: 'Configure the customer portal',
    href: '/admin/config/portal',
    link: 'Portal settings',
    why: 'whether guests sign in with an SMS code, and may manage their devices',
  },
  {
    step: 'series',
    title: 'Generate vouchers',
    href: '/admin/vouchers/generate',
    link: 'Generate a series',
    why: 'a series of codes from a plan, to print or hand out',
  },
  {
    step: 'assigned',
    title: 'Give a customer a voucher',
    href: '/admin/vouchers',
    link: 'Vouchers',
    why: 'open a voucher and assign it to the guest’s phone number',
  },
  {
    step: 'voucherSms',
    title: 'Text the customer their voucher',
    href: '/admin/logs/sms',
    link: 'SMS Logs',
    why: '“Send details by SMS” on the voucher; every SMS is then in the SMS log',
  },
];

function Checklist({ progress, tenant }: { progress: SetupProgress; tenant: Tenant }): VNode | null {
  const done = STEPS.filter((s) => progress[s.step]).length;
  if (done === STEPS.length) return null;
  return (
    <section class="checklist" aria-labelledby="checklist-title">
      <h2 id="checklist-title">Getting started</h2>
      <p class="muted">
        {done} of {STEPS.length} done. Each step links to the page where you do it; this list goes away once
        all are done.
      </p>
      <p class="hint" data-hint="business">
        First check <a href="/admin/config/business">your business details</a>: Portico reads phone numbers as
        numbers of <strong>{tenant.default_country}</strong>, counts days in{' '}
        <strong>{tenant.time_zone}</strong> and prices in <strong>{tenant.currency}</strong>.
        {tenant.public_url
          ? null
          : " Set your public address there too, so links in SMS open on guests' phones."}
      </p>
      <ol>
        {STEPS.map((s) => (
          <li class={progress[s.step] ? 'done' : 'todo'} data-step={s.step}>
            <span class="check" role="img" aria-label={progress[s.step] ? 'done' : 'to do'}>
              {progress[s.step] ? '✓' : ''}
            </span>{' '}
            <strong>{s.title}</strong> — {s.why}. <a href={s.href}>{s.link}</a>
          </li>
        ))}
      </ol>
    </section>
  );
}

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

export const dashboardPage: FastifyPluginAsync = async (admin) => {
  const deps = admin.adminDeps;
  admin.get('/admin', async (request, reply) => {
    const writable = canWrite(kit.actorOf(request).role);
    const [f, progress, notice] = await Promise.all([
      deps.dashboard.figures(request.tenant),
      writable ? deps.setup.of(request.tenant.id) : undefined,
      deps.dashboardNotice ? deps.dashboardNotice(request) : null,
    ]);
    const quiet = f.days.every((d) => d.activations === 0 && d.dataBytes === 0);
    return kit.render(request, reply, {
      title: 'Dashboard',
      body: (
        <>
          {notice}
          {progress ? <Checklist progress={progress} tenant={request.tenant} /> : null}
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
          {f.unknownUsersOnline > 0 ? (
            <p class="hint" data-hint="unknown-users">
              Also online:{' '}
              <a href={'/admin/sessions?online=yes&user=unknown'} data-figure="unknown-online">
                {countOf(f.unknownUsersOnline, 'unknown user', 'unknown users')}
              </a>
              , whose user name is neither a voucher nor a registered device (the router let them in on its
              own). They are not counted in these figures.
            </p>
          ) : null}
          <h2>Last 30 days</h2>
          {quiet ? (
            <p class="empty">
              No activations or data in the last 30 days yet: the chart fills in once guests use vouchers.
            </p>
          ) : (
            <Chart days={f.days} />
          )}
        </>
      ),
    });
  });
};
