/**
 * Which Portico code the benchmark's bare and Portico servers run: the app as it ships (the
 * default, BENCH_APP=dist: `npm run build`'s JavaScript, what `node dist/main.js` runs; run.ts
 * builds it first), or with BENCH_APP=src the TypeScript sources through tsx, whose transform adds
 * a naming helper (`__name`) to every function a hot path creates. run.ts passes its choice on to
 * the servers it starts.
 */
export const APP: 'dist' | 'src' = process.env.BENCH_APP === 'src' ? 'src' : 'dist';

/** A module of the app by its path under src/ or dist/ (`radius/protocol/index.js`), per APP. */
export async function appModule<Module>(modulePath: string): Promise<Module> {
  return (await import(new URL(`../../${APP}/${modulePath}`, import.meta.url).href)) as Module;
}
