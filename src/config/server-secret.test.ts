import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveServerSecret } from './server-secret.js';

describe('server secret', () => {
  it('uses PORTICO_SECRET when given', () => {
    expect(resolveServerSecret({ secret: 'x'.repeat(40), dataDir: '/nonexistent' })).toBe('x'.repeat(40));
  });

  it('generates a private secret file on first start and reuses it after', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-secret-'));
    try {
      const first = resolveServerSecret({ secret: undefined, dataDir });
      expect(first.length).toBeGreaterThanOrEqual(40);
      const file = path.join(dataDir, 'secret');
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(resolveServerSecret({ secret: undefined, dataDir })).toBe(first);
      const other = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-secret-'));
      expect(resolveServerSecret({ secret: undefined, dataDir: other })).not.toBe(first);
      fs.rmSync(other, { recursive: true });
    } finally {
      fs.rmSync(dataDir, { recursive: true });
    }
  });
});
