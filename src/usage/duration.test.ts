import { describe, expect, it } from 'vitest';
import { sessionDurationSeconds } from './duration.js';

describe('sessionDurationSeconds', () => {
  const nowMs = Date.UTC(2026, 11, 5, 12);
  it('is the hotspot-counted time of a closed session', () => {
    expect(
      sessionDurationSeconds(
        { sessionSeconds: 2520, updatedAtMs: nowMs - 3_600_000, stoppedAtMs: nowMs },
        nowMs,
      ),
    ).toBe(2520);
  });

  it('counts an open session on from its last packet, never from a skewed start', () => {
    // 42 min counted by the hotspot, last packet 2 min ago: 44 min, whatever the start says.
    expect(
      sessionDurationSeconds(
        { sessionSeconds: 42 * 60, updatedAtMs: nowMs - 120_000, stoppedAtMs: null },
        nowMs,
      ),
    ).toBe(44 * 60);
    expect(
      sessionDurationSeconds({ sessionSeconds: 60, updatedAtMs: nowMs + 5_000, stoppedAtMs: null }, nowMs),
    ).toBe(60);
  });
});
