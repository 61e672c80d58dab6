/**
 * External tools some tests need (Chromium, radclient). In CI a missing tool is a failure — CI
 * must install it — so only a developer's machine may skip, with a visible reason.
 */
import fs from 'node:fs';
import { describe } from 'vitest';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const RADCLIENT_PATH = process.env.RADCLIENT_PATH ?? '/usr/bin/radclient';

export function hasTool(path: string): boolean {
  try {
    fs.accessSync(path, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `describe`, or `describe.skip` with a reason when the tool is missing outside CI. */
export function describeWithTool(toolPath: string, installHint: string) {
  if (hasTool(toolPath) || process.env.CI) return describe;
  console.warn(`skipping tests that need ${toolPath}: ${installHint}`);
  return describe.skip;
}
