// Prints the module graph figures of src/ (docs/architecture.md, "Module map"): module-level
// edges, module cycles, file cycles and imports that reach past another module's index.ts.
// Test files are left out (they sit inside the module they test). Type-only imports count.
// Usage: npx depcruise src --output-type json | node scripts/module-graph.js [--edges]
import { spawnSync } from 'node:child_process';
import process from 'node:process';

const print = (line) => process.stdout.write(`${line}\n`);

// depcruise exits non-zero while rules are broken; the graph is what is wanted here.
const cruise = spawnSync('node_modules/.bin/depcruise', ['src', '--output-type', 'json'], {
  encoding: 'utf8',
  maxBuffer: 256 * 1024 * 1024,
});
const result = JSON.parse(cruise.stdout);
const isTest = (path) => /\.test\.tsx?$/.test(path);
/** `src/admin/pages/x.tsx` → `admin`; app.ts, main.ts and compose/ → `(root)`, the composition root. */
const moduleOf = (path) =>
  path.split('/').length > 2 && !path.startsWith('src/compose/') ? path.split('/')[1] : '(root)';
const isDoor = (path) => /^src\/[^/]+\/index\.tsx?$/.test(path);

const moduleEdges = new Map(); // "from → to" → import count
const deep = [];
const fileCycles = new Set();
for (const file of result.modules) {
  if (!file.source.startsWith('src/') || isTest(file.source)) continue;
  for (const dep of file.dependencies) {
    if (!dep.resolved.startsWith('src/')) continue;
    const from = moduleOf(file.source);
    const to = moduleOf(dep.resolved);
    if (dep.circular) fileCycles.add([...dep.cycle.map((c) => c.name ?? c)].sort().join(' '));
    if (from === to) continue;
    const key = `${from} → ${to}`;
    moduleEdges.set(key, (moduleEdges.get(key) ?? 0) + 1);
    if (!isDoor(dep.resolved)) deep.push(`${file.source} → ${dep.resolved}`);
  }
}

// Strongly connected components of the module graph (Tarjan): every component with more than
// one module is a cycle between modules.
const adjacency = new Map();
for (const key of moduleEdges.keys()) {
  const [from, to] = key.split(' → ');
  if (!adjacency.has(from)) adjacency.set(from, []);
  if (!adjacency.has(to)) adjacency.set(to, []);
  adjacency.get(from).push(to);
}
let counter = 0;
const index = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
const components = [];
const visit = (node) => {
  index.set(node, counter);
  low.set(node, counter++);
  stack.push(node);
  onStack.add(node);
  for (const next of adjacency.get(node)) {
    if (!index.has(next)) {
      visit(next);
      low.set(node, Math.min(low.get(node), low.get(next)));
    } else if (onStack.has(next)) low.set(node, Math.min(low.get(node), index.get(next)));
  }
  if (low.get(node) === index.get(node)) {
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1) components.push(component.sort());
  }
};
for (const node of adjacency.keys()) if (!index.has(node)) visit(node);

print(`modules: ${adjacency.size}`);
print(`module-level edges: ${moduleEdges.size}`);
print(`module cycles (strongly connected groups): ${components.length}`);
for (const component of components) print(`  ${component.join(', ')}`);
print(`file-level cycles: ${fileCycles.size}`);
print(`imports past another module's index.ts: ${deep.length}`);
if (process.argv.includes('--edges')) {
  for (const [key, count] of [...moduleEdges].sort()) print(`  ${key} (${count})`);
  for (const line of deep.sort()) print(`  deep: ${line}`);
}
