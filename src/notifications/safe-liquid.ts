/**
 * The one way the product builds a LiquidJS engine (a lint rule forbids importing `liquidjs`
 * anywhere else). Templates are written by tenant admins, so the engine is a sandbox:
 *
 * - no file system: `include`, `render` and `layout` (and `block`, which only serves `layout`)
 *   are removed, so a template that names a file is refused when it is parsed; behind that, the
 *   engine's loader is an empty in-memory one with no roots, so nothing can ever reach the disk
 *   and no error can name a path;
 * - own properties only (no prototype walking), strict filters (an unknown filter is an error);
 * - limits so a template cannot burn the CPU or the memory: characters parsed, milliseconds of
 *   rendering, and the size of what rendering may allocate (ranges, strings, arrays).
 */
import { Liquid, type FS } from 'liquidjs';

/** Tags that read other templates; with no files there is nothing for them to read. */
const FILE_TAGS = ['include', 'render', 'layout', 'block'] as const;

/** A file system with no files: every lookup misses, no path is ever resolved against a disk. */
const NO_FILES: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async () => {
    throw new Error('templates cannot read files');
  },
  readFileSync: () => {
    throw new Error('templates cannot read files');
  },
  resolve: (_dir, file) => file,
  contains: async () => false,
  containsSync: () => false,
  sep: '/',
  dirname: () => '',
};

export interface SafeLiquidLimits {
  /** Characters parsed per parse() call. */
  parseLimitChars: number;
  /** Wall time of one render() call. */
  renderLimitMs: number;
  /** Allocation budget of one render() (LiquidJS counts string and array lengths). */
  memoryLimitUnits: number;
}

export const DEFAULT_LIQUID_LIMITS: SafeLiquidLimits = {
  parseLimitChars: 10_000,
  renderLimitMs: 200,
  memoryLimitUnits: 1_000_000,
};

/** A sandboxed LiquidJS engine (see the module comment); plain text output, no HTML escaping. */
export function createSafeLiquid(limits: Partial<SafeLiquidLimits> = {}): Liquid {
  const { parseLimitChars, renderLimitMs, memoryLimitUnits } = { ...DEFAULT_LIQUID_LIMITS, ...limits };
  const engine = new Liquid({
    fs: NO_FILES,
    root: [],
    partials: [],
    layouts: [],
    relativeReference: false,
    dynamicPartials: false,
    strictFilters: true,
    strictVariables: false,
    ownPropertyOnly: true,
    cache: false,
    parseLimit: parseLimitChars,
    renderLimit: renderLimitMs,
    memoryLimit: memoryLimitUnits,
  });
  for (const tag of FILE_TAGS) delete engine.tags[tag];
  return engine;
}

/**
 * The first line of a LiquidJS error, for people: LiquidJS appends the template excerpt on
 * later lines. The sandbox has no files, so no path can appear here; the scrub is a second belt.
 */
export function describeLiquidError(error: unknown): string {
  const first = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  return first.replace(/(?:[A-Za-z]:)?(?:[\\/][\w.@~-]+){2,}[\\/]?/g, '…').slice(0, 200);
}
