/**
 * The RouterOS commands an operator pastes into a MikroTik to use Portico: RADIUS client for the
 * hotspot service with accounting, incoming Disconnect/CoA, a hotspot profile with MAC and
 * HTTP-CHAP login, and interim updates. Pure function of the hotspot and where Portico listens.
 */
export interface RouterOsConfigInput {
  /** Address the router reaches Portico's RADIUS server at. */
  radiusServerAddress: string;
  secret: string;
  authPort: number;
  acctPort: number;
  coaPort: number;
  interimIntervalSeconds: number;
  requireMessageAuthenticator: boolean;
  /** Hotspot server profile to configure (RouterOS default: hsprof1). */
  profile?: string;
  /** Portal URL to open after login, if any. */
  portalUrl?: string | null;
}

/** Quotes a value for the RouterOS CLI (double quotes; backslash-escape \ " $ and ?). */
function quote(value: string): string {
  return `"${value.replace(/[\\"$?]/g, (c) => `\\${c}`)}"`;
}

function interval(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

export function routerOsConfig(input: RouterOsConfigInput): string {
  const profile = input.profile ?? 'hsprof1';
  const lines = [
    '# Portico RADIUS client for the hotspot (authentication and accounting)',
    `/radius add service=hotspot address=${quote(input.radiusServerAddress)} secret=${quote(input.secret)} ` +
      `authentication-port=${input.authPort} accounting-port=${input.acctPort} timeout=3s` +
      (input.requireMessageAuthenticator ? ' require-message-auth=yes-for-request-resp' : ''),
    '# Accept Disconnect/CoA requests from Portico (RFC 5176)',
    `/radius incoming set accept=yes port=${input.coaPort}`,
    '# Hotspot profile: RADIUS with accounting, MAC login and HTTP-CHAP, interim updates',
    `/ip hotspot profile set [find name=${quote(profile)}] use-radius=yes radius-accounting=yes ` +
      `radius-interim-update=${interval(input.interimIntervalSeconds)} login-by=mac,http-chap ` +
      'mac-auth-mode=mac-as-username-and-password',
  ];
  if (input.portalUrl) {
    lines.push(
      '# Optional: show guests their usage portal after login (edit hotspot/alogin.html to redirect to:)',
      `#   ${input.portalUrl}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
