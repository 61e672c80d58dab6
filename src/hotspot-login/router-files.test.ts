import { describe, expect, it } from 'vitest';
import { translator } from './i18n.js';
import { routerErrorText } from './plugin.js';
import { apiJson, FORWARDED_ROUTER_VARIABLES, loginHtml, routerOsLoginPageConfig } from './router-files.js';

const input = {
  loginPageUrl: 'https://wifi.example.com/hotspot/abcdefgh2345/login',
  portalUrl: 'https://wifi.example.com/portal',
};

describe('router files', () => {
  it('login.html forwards every router variable to the hosted page with GET', () => {
    const html = loginHtml(input);
    expect(html).toContain(`action="${input.loginPageUrl}" method="get"`);
    for (const name of FORWARDED_ROUTER_VARIABLES)
      expect(html).toContain(`name="${name}" value="$(${name})"`);
    expect(html).toContain('<button type="submit"'); // works without JavaScript
  });

  it('api.json is RFC 8908 with the captive state from the router', () => {
    const json = apiJson(input);
    expect(json).toContain('"captive": $(if logged-in');
    expect(json).toContain(`"venue-info-url": "${input.portalUrl}"`);
  });

  it('the RouterOS commands open only Portico’s host and fetch the files', () => {
    const config = routerOsLoginPageConfig({
      porticoHost: 'wifi.example.com',
      filesBaseUrl: 'https://wifi.example.com/hotspot/abcdefgh2345/files/',
      loginBy: 'chap',
    });
    expect(config).toContain('/ip hotspot walled-garden add dst-host="wifi.example.com"');
    expect(config).toContain('/ip hotspot walled-garden ip add dst-host="wifi.example.com" action=accept');
    expect(config).toContain('dst-path="hotspot/login.html"');
    expect(config).toContain('login-by=mac,http-chap');
    const commands = config.split('\n').filter((line) => !line.startsWith('#'));
    expect(commands.join('\n')).not.toMatch(/apple|gstatic|msftconnecttest|captive/);
    expect(
      routerOsLoginPageConfig({ porticoHost: 'h', filesBaseUrl: 'https://h/', loginBy: 'pap' }),
    ).toContain('login-by=mac,http-pap');
  });
});

describe("the router's error in plain words", () => {
  it("turns Portico's own Reply-Messages and RouterOS's errors into advice", () => {
    const es = translator('es');
    const en = translator('en');
    expect(routerErrorText(en, 'This voucher has expired')).toContain('Ask at the desk for a new one');
    expect(routerErrorText(es, 'This voucher is used up')).toContain('agotada');
    expect(routerErrorText(en, 'RADIUS server is not responding')).toContain('could not reach');
    expect(routerErrorText(en, 'something else')).toContain('(something else)');
  });
});
