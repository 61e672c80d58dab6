/**
 * Response compression (brotli, else gzip) for pages, JSON and static text assets, when the
 * client accepts it. Guests read the portal over slow hotspot Wi-Fi: a 24 KB dashboard is about
 * 3 KB compressed.
 *
 * Why not @fastify/compress: it turns every string body into a stream and pipes it through zlib,
 * which costs more than rendering a small page. Rendered pages and JSON are small and already in
 * memory, so they are compressed synchronously at a fast level (brotli quality 3 with a window
 * sized to pages, gzip level 6);
 * static files arrive as streams and are compressed once per file version and kept in memory
 * (a handful of CSS/JS/SVG files).
 */
import zlib from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';

/** Bodies smaller than this go as they are: the frame overhead would eat the saving. */
export const COMPRESS_MIN_BYTES = 1024;
const COMPRESSIBLE = /^(text\/|application\/(json|problem\+json|javascript|xml)|image\/svg\+xml)/;
/**
 * Rendered bodies: quality 3 costs about a third of quality 4 on a 21 KB dashboard (~0.13 vs
 * ~0.36 ms, the largest single cost of a view) for ~5 % more bytes (3.4 vs 3.2 KB). The window
 * is the smallest that holds the body (windowBitsFor); a larger one only costs set-up time.
 */
/**
 * The smallest brotli window that holds the whole body (2^bits - 16 bytes), from 2^10 to 2^18:
 * the encoder allocates its ring buffer and hash tables for the window on every call, and in a
 * busy server that costs more than compressing (a 21 KB dashboard: ~0.4 ms at lgwin 18).
 */
function windowBitsFor(bytes: number): number {
  let bits = 10;
  while (bits < 18 && (1 << bits) - 16 < bytes) bits++;
  return bits;
}

function brotliPageOptions(bytes: number): zlib.BrotliOptions {
  return {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 3,
      [zlib.constants.BROTLI_PARAM_LGWIN]: windowBitsFor(bytes),
      [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes,
    },
  };
}
/** Static assets: compressed once, so the best brotli level is worth it. */
const BROTLI_ASSET_OPTIONS = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } };
const MAX_CACHED_ASSETS = 100;

export type Encoding = 'br' | 'gzip';

/** The best encoding the Accept-Encoding header allows (q=0 refuses), or undefined. */
export function chooseEncoding(header: string | undefined): Encoding | undefined {
  if (!header) return undefined;
  const accepted = new Map<string, number>();
  for (const part of header.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    accepted.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  const allowed = (name: Encoding) => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0;
  if (allowed('br')) return 'br';
  if (allowed('gzip')) return 'gzip';
  return undefined;
}

function compressSync(body: Buffer, encoding: Encoding, asset: boolean): Buffer {
  return encoding === 'br'
    ? zlib.brotliCompressSync(body, asset ? BROTLI_ASSET_OPTIONS : brotliPageOptions(body.length))
    : zlib.gzipSync(body, { level: 6 });
}

/**
 * A rendered body compressed as this hook would (for a route that keeps the result: the portal's
 * page cache sends it again with `content-encoding` set, which this hook then leaves alone).
 */
export function compressPage(body: Buffer, encoding: Encoding): Buffer {
  return compressSync(body, encoding, false);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

function addVary(reply: FastifyReply): void {
  const vary = reply.getHeader('vary');
  const current = typeof vary === 'string' ? vary : Array.isArray(vary) ? vary.join(', ') : '';
  if (!/accept-encoding/i.test(current))
    reply.header('vary', current ? `${current}, Accept-Encoding` : 'Accept-Encoding');
}

/**
 * The compression hook for the whole app (all routes, static files included): a fastify-plugin,
 * so its onSend hook lands on the instance that registers it, not in a scope of its own.
 */
export const compression = fastifyPlugin(
  async (app: FastifyInstance) => {
    const assetCache = new Map<string, Buffer>();

    app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      if (payload === null || payload === undefined || request.method === 'HEAD') return payload;
      const status = reply.statusCode;
      if (status === 204 || status === 304 || status < 200) return payload;
      if (reply.getHeader('content-encoding')) return payload;
      const type = String(reply.getHeader('content-type') ?? '');
      if (!COMPRESSIBLE.test(type)) return payload;
      addVary(reply);
      const encoding = chooseEncoding(request.headers['accept-encoding']);
      if (!encoding) return payload;

      let body: Buffer;
      let cacheKey: string | undefined;
      if (typeof payload === 'string') body = Buffer.from(payload);
      else if (Buffer.isBuffer(payload)) body = payload;
      else if (typeof (payload as NodeJS.ReadableStream).pipe === 'function') {
        // A static file: its ETag names the file version, so the compressed bytes can be kept.
        const etag = reply.getHeader('etag');
        cacheKey = `${encoding} ${request.url.split('?')[0]} ${typeof etag === 'string' ? etag : ''}`;
        const cached = etag ? assetCache.get(cacheKey) : undefined;
        if (cached) {
          (payload as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
          reply.header('content-encoding', encoding).removeHeader('content-length');
          return cached;
        }
        body = await readAll(payload as NodeJS.ReadableStream);
        if (!etag) cacheKey = undefined;
      } else return payload;

      if (body.length < COMPRESS_MIN_BYTES) return body;
      const compressed = compressSync(body, encoding, cacheKey !== undefined);
      if (cacheKey !== undefined) {
        if (assetCache.size >= MAX_CACHED_ASSETS) assetCache.clear();
        assetCache.set(cacheKey, compressed);
      }
      reply.header('content-encoding', encoding).removeHeader('content-length');
      return compressed;
    });
  },
  { name: 'portico-compression' },
);
