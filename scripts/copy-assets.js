// After `tsc -p tsconfig.build.json`: copies what the compiled server reads from disk next to it
// (static assets served from dist/http/assets). Plain Node, no dependencies.
import fs from 'node:fs';

fs.rmSync('dist/http/assets', { recursive: true, force: true });
fs.cpSync('src/http/assets', 'dist/http/assets', { recursive: true });
