import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PageCache, type CachedPage } from './page-cache.js';

const page = (text: string, freshUntilMs = 1000): CachedPage => ({
  body: Buffer.from(text),
  type: 'text/html; charset=utf-8',
  etag: '',
  freshUntilMs,
  compressed: {},
});

describe('PageCache', () => {
  it('answers a page until its freshUntilMs, and misses from then on', () => {
    const cache = new PageCache();
    cache.set('a', page('hello', 1000));
    expect(cache.get('a', 999)?.body.toString()).toBe('hello');
    expect(cache.get('a', 1000)).toBeUndefined();
    expect(cache.get('a', 10)).toBeUndefined(); // dropped, not only hidden
    expect(cache.stats).toEqual({ hits: 1, misses: 2 });
  });

  it('keeps within its bytes, dropping the least recently used first', () => {
    const cache = new PageCache(30);
    cache.set('a', page('x'.repeat(10)));
    cache.set('b', page('y'.repeat(10)));
    expect(cache.get('a', 0)).toBeDefined(); // a is now the most recently used
    cache.set('c', page('z'.repeat(15)));
    expect(cache.size).toBe(2);
    expect(cache.get('b', 0)).toBeUndefined();
    expect(cache.get('a', 0)).toBeDefined();
    expect(cache.get('c', 0)).toBeDefined();
  });

  it('compresses a page once per encoding the client accepts, small bodies not at all', () => {
    const cache = new PageCache();
    const big = page('<p>portal</p>'.repeat(200));
    cache.set('big', big);
    const br = cache.encoded('big', big, 'gzip, br');
    expect(br.encoding).toBe('br');
    expect(zlib.brotliDecompressSync(br.body).equals(big.body)).toBe(true);
    expect(cache.encoded('big', big, 'br').body).toBe(br.body); // the same bytes, kept
    const gzip = cache.encoded('big', big, 'gzip');
    expect(gzip.encoding).toBe('gzip');
    expect(zlib.gunzipSync(gzip.body).equals(big.body)).toBe(true);
    expect(cache.encoded('big', big, undefined)).toEqual({ body: big.body });
    const small = page('tiny');
    cache.set('small', small);
    expect(cache.encoded('small', small, 'br')).toEqual({ body: small.body });
  });
});
