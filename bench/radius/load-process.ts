/**
 * The load generator as its own process (forked by run.ts, so it never competes with a server
 * for an event loop). Receives jobs over IPC, answers with the LoadResult. Keeps a sequence per
 * (target, kind) so counters keep growing and session ids stay new across rounds.
 */
import { makePacket, type WorkKind } from './packets.js';
import { runLoad } from './load.js';

export interface LoadJob {
  target: string;
  port: number;
  kind: WorkKind;
  sessions: number;
  sockets: number;
  window: number;
  durationMs: number;
  /** Send exactly this many requests instead of running for durationMs (priming). */
  count?: number;
  tag: string;
}

const next = new Map<string, number>();

process.on('message', (job: LoadJob) => {
  const key = `${job.target}|${job.kind}`;
  const start = next.get(key) ?? 0;
  void runLoad({
    host: '127.0.0.1',
    port: job.port,
    sockets: job.sockets,
    window: job.window,
    durationMs: job.durationMs,
    count: job.count,
    makePacket: (id, seq) => makePacket(job.kind, job.tag, job.sessions, id, start + seq),
  }).then((result) => {
    next.set(key, start + result.sent);
    process.send!(result);
  });
});
