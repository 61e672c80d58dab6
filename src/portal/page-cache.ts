/**
 * Rendered portal pages kept per process (issue 12), so an unchanged view costs one statement
 * (the visit: session, customer and portal versions, WebSessions.findPortalVisit) and no
 * rendering or compression. The truth stays in the database: a key names the customer's and the
 * tenant's portal versions as read on this request, and every write that changes what a portal
 * shows moves one of them (store/portal-version.ts), in whichever process it ran. The rest of the
 * key is what the page depends on besides the data: the session and CSRF cookies (the page's forms
 * carry a token bound to both), language, URL (query included) and the tenant details this
 * process holds. An entry also ends at the first instant its page would show differently by the
 * clock alone (the next minute for "Updated at", a voucher's expiry): `freshUntilMs`.
 *
 * Bounded by bytes, least recently used out first.
 */
import { chooseEncoding, compressPage, COMPRESS_MIN_BYTES, type Encoding } from '../http/index.js';

export interface CachedPage {
  body: Buffer;
  type: string;
  /** The body's ETag (the live summary answers 304 from it). */
  etag: string;
  freshUntilMs: number;
  compressed: Partial<Record<Encoding, Buffer>>;
}

/** Roughly 1,000 dashboards (21 KB + 4 KB compressed each). */
export const PAGE_CACHE_BYTES = 32 * 1024 * 1024;

const sizeOf = (page: CachedPage): number =>
  page.body.length + (page.compressed.br?.length ?? 0) + (page.compressed.gzip?.length ?? 0);

export class PageCache {
  private readonly pages = new Map<string, CachedPage>();
  private bytes = 0;
  /** Figures for tests and the benchmark. */
  readonly stats = { hits: 0, misses: 0 };

  constructor(private readonly maxBytes = PAGE_CACHE_BYTES) {}

  /** The page under `key` if it is still fresh at `nowMs`. */
  get(key: string, nowMs: number): CachedPage | undefined {
    const page = this.pages.get(key);
    if (!page || page.freshUntilMs <= nowMs) {
      if (page) this.drop(key, page);
      this.stats.misses++;
      return undefined;
    }
    // Most recently used last: Map keeps insertion order.
    this.pages.delete(key);
    this.pages.set(key, page);
    this.stats.hits++;
    return page;
  }

  set(key: string, page: CachedPage): void {
    const old = this.pages.get(key);
    if (old) this.drop(key, old);
    this.pages.set(key, page);
    this.bytes += sizeOf(page);
    for (const [oldest, value] of this.pages) {
      if (this.bytes <= this.maxBytes) break;
      this.drop(oldest, value);
    }
  }

  /** The body as the client accepts it (compressed once per encoding, then kept). */
  encoded(
    key: string,
    page: CachedPage,
    acceptEncoding: string | undefined,
  ): { body: Buffer; encoding?: Encoding } {
    const encoding = chooseEncoding(acceptEncoding);
    if (!encoding || page.body.length < COMPRESS_MIN_BYTES) return { body: page.body };
    let body = page.compressed[encoding];
    if (!body) {
      body = compressPage(page.body, encoding);
      page.compressed[encoding] = body;
      // Counted only while the page is held (one larger than the whole cache is not).
      if (this.pages.get(key) === page) this.bytes += body.length;
    }
    return { body, encoding };
  }

  get size(): number {
    return this.pages.size;
  }

  private drop(key: string, page: CachedPage): void {
    this.pages.delete(key);
    this.bytes -= sizeOf(page);
  }
}
