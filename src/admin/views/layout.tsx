import type { ComponentChildren, VNode } from 'preact';
import type { Actor } from '../../auth/index.js';

export interface NavItem {
  href: string;
  label: string;
  /** Section heading this item sits under (Config, Logs, Access). */
  group?: string;
  superOnly?: boolean;
  ownerOnly?: boolean;
}

/** The navigation of the admin shell; other modules' pages link in here. */
export const NAV: NavItem[] = [
  { href: '/admin', label: 'Dashboard' },
  { href: '/admin/customers', label: 'Customers' },
  { href: '/admin/vouchers', label: 'Vouchers' },
  { href: '/admin/plans', label: 'Plans' },
  { href: '/admin/hotspots', label: 'Hotspots' },
  { href: '/admin/sessions', label: 'Sessions' },
  { href: '/admin/config/business', label: 'Business', group: 'Config' },
  { href: '/admin/config/portal', label: 'Portal', group: 'Config' },
  { href: '/admin/config/login-page', label: 'Login page', group: 'Config' },
  { href: '/admin/config/notifications', label: 'Notifications', group: 'Config' },
  { href: '/admin/config/sms-texts', label: 'SMS texts', group: 'Config' },
  { href: '/admin/config/sms-gateways', label: 'SMS gateways', group: 'Config' },
  { href: '/admin/config/vouchers', label: 'Voucher codes', group: 'Config' },
  { href: '/admin/logs/sms', label: 'SMS Logs', group: 'Logs' },
  { href: '/admin/logs/devices', label: 'Device changes', group: 'Logs' },
  { href: '/admin/admins', label: 'Admins', group: 'Access' },
  { href: '/admin/api-tokens', label: 'API tokens', group: 'Access', ownerOnly: true },
  { href: '/admin/tenants', label: 'Tenants', group: 'Access', superOnly: true },
];

export interface LayoutProps {
  title: string;
  actor: Actor;
  tenantName: string;
  csrf: string;
  /** The path of the current page, to mark the active navigation item. */
  path: string;
  notice?: string | undefined;
  error?: string | undefined;
  children: ComponentChildren;
}

function isCurrent(path: string, href: string): boolean {
  return href === '/admin'
    ? path === '/admin' || path === '/admin/'
    : path === href || path.startsWith(`${href}/`);
}

export function Head({ title }: { title: string }): VNode {
  return (
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="robots" content="noindex" />
      {/* Within the admin area only: a form sent after its session expired reopens on its page. */}
      <meta name="referrer" content="same-origin" />
      <title>{`${title} · Portico admin`}</title>
      <link rel="stylesheet" href="/assets/portico.css" />
      <link rel="stylesheet" href="/assets/admin.css" />
      <script src="/assets/admin.js" defer></script>
      <script src="/assets/follow.js" defer></script>
      <script src="/assets/resume.js" defer></script>
    </head>
  );
}

/** A page's outcome line (status) and refusal (alert), each when there is one. */
export function Notices(props: { notice?: string | undefined; error?: string | undefined }): VNode {
  return (
    <>
      {props.notice ? (
        <p class="notice" role="status">
          {props.notice}
        </p>
      ) : null}
      {props.error ? (
        <p class="error" role="alert">
          {props.error}
        </p>
      ) : null}
    </>
  );
}

export function AdminLayout(props: LayoutProps): VNode {
  const visible = NAV.filter(
    (item) => (!item.superOnly || props.actor.isSuper) && (!item.ownerOnly || props.actor.role === 'owner'),
  );
  const groups: Array<{ group: string | undefined; items: NavItem[] }> = [];
  for (const item of visible) {
    const last = groups[groups.length - 1];
    if (last && last.group === item.group) last.items.push(item);
    else groups.push({ group: item.group, items: [item] });
  }
  return (
    <html lang="en">
      <Head title={props.title} />
      <body class="admin">
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="admin-top">
          <span class="brand">Portico</span>
          <span class="tenant">{props.tenantName}</span>
          <span class="who">
            {props.actor.name} · <span class={`role role-${props.actor.role}`}>{props.actor.role}</span>
          </span>
          <a href="/admin/account">Account</a>
          <form method="post" action="/admin/sign-out" class="inline">
            <input type="hidden" name="_csrf" value={props.csrf} />
            <button type="submit" class="link">
              Sign out
            </button>
          </form>
        </header>
        <div class="admin-body">
          <nav class="admin-nav" aria-label="Admin">
            {groups.map(({ group, items }) => (
              <div class="nav-group">
                {group ? <div class="nav-heading">{group}</div> : null}
                <ul>
                  {items.map((item) => (
                    <li>
                      <a
                        href={item.href}
                        aria-current={isCurrent(props.path, item.href) ? 'page' : undefined}
                      >
                        {item.label}
                      </a>
                    </li>
                  ))}
                </ul>
              </div>
            ))}
          </nav>
          <main id="main" class="admin-main">
            <h1>{props.title}</h1>
            <Notices notice={props.notice} error={props.error} />
            {props.children}
          </main>
        </div>
      </body>
    </html>
  );
}
