// @ts-check
/**
 * The module graph rules of docs/architecture.md ("Module map"), held by `npm run lint`.
 * A module is a folder directly under src/; its door is its index.ts. Tests may reach inside the
 * module they test, but never create cycles.
 */
const EDGES = '(portal|admin|api|radius|http|hotspot-login)';
const TEST = '\\.test\\.tsx?$';
/** The composition root: app.ts and main.ts, and compose/ (parts of app.ts kept apart for size). */
const ROOT = '^src/([^/]+\\.tsx?|compose/)';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'No import cycle in src/, counting type-only imports: a cycle makes a module unmovable.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'through-the-door',
      comment:
        'Another module is imported only through its index.ts (its door); reach for what it exports there, or add it to the door.',
      severity: 'error',
      from: { path: '^src/([^/]+)/', pathNot: TEST },
      to: { path: '^src/', pathNot: ['^src/$1/', '^src/[^/]+/index\\.tsx?$'] },
    },
    {
      name: 'root-through-the-door',
      comment: 'app.ts and main.ts compose modules through their doors (index.ts) too.',
      severity: 'error',
      from: { path: '^src/[^/]+\\.tsx?$', pathNot: TEST },
      to: { path: '^src/[^/]+/', pathNot: '^src/[^/]+/index\\.tsx?$' },
    },
    {
      name: 'only-the-root-composes',
      comment: 'compose/ builds the modules for app.ts; a module that needs a service receives it.',
      severity: 'error',
      from: { path: '^src/', pathNot: ROOT },
      to: { path: '^src/compose/' },
    },
    {
      name: 'domain-never-imports-edges',
      comment:
        'Domain modules never know about the edges (portal, admin, api, radius, http, hotspot-login); declare a port and let the composition root wire it.',
      severity: 'error',
      from: { path: '^src/', pathNot: [`^src/${EDGES}/`, ROOT, TEST] },
      to: { path: `^src/${EDGES}/` },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
