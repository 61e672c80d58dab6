import { describe, expect, it } from 'vitest';
import { isHostName, isRouterAddress } from './router-address.js';

const url = (text: string) => new URL(text);

describe('the router login address check', () => {
  it('accepts addresses of a guest network', () => {
    for (const address of [
      'http://10.5.50.1/login',
      'http://172.16.0.1/login',
      'http://192.168.88.1/login',
      'http://100.64.1.1/login',
      'http://169.254.1.1/login',
      'http://127.0.0.1:8080/login',
      'http://[fd00::1]/login',
      'http://[fe80::1]/login',
      'http://login/login',
      'http://login.wifi.lan/login',
      'https://hotspot.local/login',
    ])
      expect(isRouterAddress(url(address), []), address).toBe(true);
  });

  it('refuses public addresses unless the operator listed the name', () => {
    for (const address of [
      'https://evil.example/login',
      'http://8.8.8.8/login',
      'http://172.32.0.1/login',
      'http://[2001:db8::1]/login',
    ])
      expect(isRouterAddress(url(address), []), address).toBe(false);
    expect(isRouterAddress(url('https://login.cafe.example/login'), ['login.cafe.example'])).toBe(true);
  });

  it('knows a DNS name', () => {
    expect(isHostName('login.cafe.example')).toBe(true);
    expect(isHostName('login')).toBe(false);
    expect(isHostName('bad host.example')).toBe(false);
  });
});
