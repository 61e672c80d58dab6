/**
 * A RADIUS load generator: several UDP sockets, each with a window of outstanding requests
 * (Identifiers 0..255 per socket), retransmission-free (a request unanswered within the
 * timeout counts as lost). Reports throughput, p50/p99 latency and loss.
 */
import dgram from 'node:dgram';

export interface LoadOptions {
  host: string;
  port: number;
  sockets: number;
  /** Outstanding requests per socket (≤ 256). */
  window: number;
  durationMs: number;
  /** Stop after sending this many requests (a priming pass) instead of after durationMs. */
  count?: number;
  timeoutMs?: number;
  /** Builds request `sequence` with this Identifier. */
  makePacket(identifier: number, sequence: number): Buffer;
}

export interface LoadResult {
  sent: number;
  answered: number;
  lost: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /**
   * The lowest and the highest p50 of one socket (one NAS source port): far apart when a server's
   * threads got unequal shares of the sources (SO_REUSEPORT spreads sources, not packets).
   */
  sourceP50Ms: [number, number];
  /**
   * The three quarter-seconds of the run with the slowest answer in them, slowest first: when a
   * p99 is high, whether a few stalls made it (a pause of the server or the database) or the
   * whole run was slow.
   */
  slowestWindows: Array<{ atSeconds: number; maxMs: number; answered: number }>;
}

/** The span of one slowestWindows entry. */
const WINDOW_MS = 250;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const latencies: number[] = [];
  let sent = 0;
  let answered = 0;
  let lost = 0;
  let sequence = 0;
  let stopping = false;
  const started = performance.now();
  const windows = new Map<number, { maxMs: number; answered: number }>();

  const perSocket: number[][] = [];
  const workers = Array.from({ length: options.sockets }, async (_, socketIndex) => {
    const mine: number[] = (perSocket[socketIndex] = []);
    const socket = dgram.createSocket({
      type: 'udp4',
      recvBufferSize: 4 * 1024 * 1024,
      sendBufferSize: 4 * 1024 * 1024,
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const inFlight = new Map<number, number>(); // identifier → sent at
    const free: number[] = Array.from({ length: 256 }, (_, i) => i);
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const pump = () => {
      while (!stopping && inFlight.size < options.window && free.length > 0) {
        if (options.count !== undefined && sequence >= options.count) {
          stopping = true;
          break;
        }
        const id = free.shift()!;
        inFlight.set(id, performance.now());
        sent++;
        socket.send(options.makePacket(id, sequence++), options.port, options.host);
      }
      if (stopping && inFlight.size === 0) done();
    };
    socket.on('message', (message) => {
      const id = message.readUInt8(1);
      const at = inFlight.get(id);
      if (at === undefined) return;
      inFlight.delete(id);
      free.push(id);
      answered++;
      const now = performance.now();
      const latencyMs = now - at;
      latencies.push(latencyMs);
      mine.push(latencyMs);
      const index = Math.floor((now - started) / WINDOW_MS);
      const window = windows.get(index) ?? windows.set(index, { maxMs: 0, answered: 0 }).get(index)!;
      window.answered++;
      window.maxMs = Math.max(window.maxMs, latencyMs);
      pump();
    });
    const sweeper = setInterval(() => {
      const now = performance.now();
      for (const [id, at] of inFlight) {
        if (now - at > timeoutMs) {
          inFlight.delete(id);
          free.push(id);
          lost++;
        }
      }
      pump();
    }, 50);
    pump();
    await finished;
    clearInterval(sweeper);
    socket.close();
  });

  let elapsedMs: number;
  if (options.count === undefined) {
    await new Promise((r) => setTimeout(r, options.durationMs));
    stopping = true;
    elapsedMs = performance.now() - started;
    await Promise.all(workers);
  } else {
    await Promise.all(workers);
    elapsedMs = performance.now() - started;
  }
  latencies.sort((a, b) => a - b);
  const sourceP50s = perSocket.map((own) =>
    percentile(
      own.sort((a, b) => a - b),
      50,
    ),
  );
  return {
    sent,
    answered,
    lost,
    perSecond: Math.round(answered / (elapsedMs / 1000)),
    p50Ms: Number(percentile(latencies, 50).toFixed(2)),
    p99Ms: Number(percentile(latencies, 99).toFixed(2)),
    sourceP50Ms: [Number(Math.min(...sourceP50s).toFixed(1)), Number(Math.max(...sourceP50s).toFixed(1))],
    slowestWindows: [...windows]
      .sort((a, b) => b[1].maxMs - a[1].maxMs)
      .slice(0, 3)
      .map(([index, { maxMs, answered }]) => ({
        atSeconds: (index * WINDOW_MS) / 1000,
        maxMs: Number(maxMs.toFixed(1)),
        answered,
      })),
  };
}
