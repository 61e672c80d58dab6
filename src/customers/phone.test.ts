import { describe, expect, it } from 'vitest';
import { examplePhone, formatPhone, parsePhone } from './phone.js';

describe('parsePhone', () => {
  it.each([
    ['(202) 555-0143', 'US', '+12025550143'],
    ['202.555.0143', 'US', '+12025550143'],
    ['+1 202 555 0143', 'MX', '+12025550143'],
    ['0044 20 7946 0958', 'US', '+442079460958'],
    ['020 7946 0958', 'GB', '+442079460958'],
    ['55 1234 5678', 'MX', '+525512345678'],
  ])('reads %s in %s as %s', (input, country, e164) => {
    expect(parsePhone(input, country)).toEqual({ ok: true, e164 });
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['call me', 'not_a_number'],
    ['202-555-0143<script>', 'not_a_number'],
    ['1'.repeat(41), 'not_a_number'],
    ['12345', 'too_short'],
    ['+1 999 555 0143', 'invalid'],
  ])('refuses %j as %s', (input, problem) => {
    expect(parsePhone(input, 'US')).toEqual({ ok: false, problem });
  });
});

describe('formatPhone', () => {
  it('shows home numbers nationally and foreign ones internationally', () => {
    expect(formatPhone('+12025550143', 'US')).toBe('(202) 555-0143');
    expect(formatPhone('+442079460958', 'US')).toBe('+44 20 7946 0958');
  });

  it('gives a national example for form hints', () => {
    expect(parsePhone(examplePhone('ES'), 'ES').ok).toBe(true);
  });
});
