/**
 * Issue 10 item 1: SMS templates must have no file system. The attacks are the ones reported
 * (a tenant admin previewing `{% include '.git/config' %}` and friends through the API and the
 * admin page), against a file this test plants in the working directory so the proof does not
 * depend on which files the checkout happens to have.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Liquid } from 'liquidjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, createAdmin, createApiToken } from '../../test/helpers/admin.js';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import { createTenant } from '../../test/helpers/factories.js';
import { createSafeLiquid, describeLiquidError } from './safe-liquid.js';
import { checkTemplate, renderTemplate } from './template.js';
import { TEMPLATE_VARIABLES } from '../../test/helpers/notifications.js';

const MARKER = `planted-secret-${process.pid}-${Date.now()}`;
const plantedDir = path.join(process.cwd(), 'test-results');
const plantedName = `template-sandbox-${process.pid}.liquid`;
const plantedPath = path.join(plantedDir, plantedName);
const relativePlanted = path.relative(process.cwd(), plantedPath);

/** The attacks from the issue, plus the same with the planted file and an absolute path. */
const ATTACKS = [
  "{% capture f %}{% include '.git/config' %}{% endcapture %}{{ f }}",
  "{% include 'data/secret' %}",
  `{% include '${relativePlanted}' %}`,
  `{% include '${plantedPath}' %}`,
  `{% render '${relativePlanted}' %}`,
  "{% render '.git/config' %}",
  `{% layout '${relativePlanted}' %}x`,
  `{% layout '${relativePlanted}' %}{% block a %}x{% endblock %}`,
  `{% assign p = '${relativePlanted}' %}{% include p %}`,
  "{% include 'no-such-file-anywhere' %}",
  "{% include '../../../../etc/passwd' %}",
];

beforeAll(() => {
  fs.mkdirSync(plantedDir, { recursive: true });
  fs.writeFileSync(plantedPath, `${MARKER}\n`);
});
afterAll(() => fs.rmSync(plantedPath, { force: true }));

/**
 * Nothing a file could have given, and no path of this machine (beyond the attacker's own
 * template echoed back in the form).
 */
function expectNoLeak(answer: string) {
  const text = answer.replaceAll(plantedPath, '<the template as typed>');
  expect(text).not.toContain(MARKER);
  expect(text).not.toContain('[core]'); // .git/config
  expect(text).not.toContain('root:'); // /etc/passwd
  expect(text).not.toContain('gitdir'); // a worktree's .git file
  expect(text).not.toContain(process.cwd());
  expect(text).not.toContain(plantedDir);
  expect(text).not.toMatch(/ENOENT|Failed to lookup/);
}

const variables = TEMPLATE_VARIABLES;

describe('template sandbox', () => {
  it('the planted file is readable by an ordinary LiquidJS engine (the attack is real)', async () => {
    // The exact engine options this product used before the fix, minus the sandbox.
    const unsafe = new Liquid({ strictFilters: true, ownPropertyOnly: true, cache: false });
    await expect(unsafe.parseAndRender(`{% include '${relativePlanted}' %}`)).resolves.toContain(MARKER);
  });

  it.each(ATTACKS)('refuses %s when saved or rendered, without file content or path', async (attack) => {
    let saveError = '';
    try {
      checkTemplate(attack);
    } catch (error) {
      saveError = (error as Error).message;
    }
    expect(saveError).toMatch(/not a valid template/);
    expectNoLeak(saveError);
    let renderError = '';
    try {
      await renderTemplate(attack, variables);
    } catch (error) {
      renderError = (error as Error).message;
    }
    expect(renderError).toMatch(/could not be rendered/);
    expectNoLeak(renderError);
  });

  it('the engine itself has no file tags and its loader finds nothing', async () => {
    const engine = createSafeLiquid();
    for (const tag of ['include', 'render', 'layout', 'block']) expect(engine.tags[tag]).toBeUndefined();
    // Even through the engine's own file API (not reachable from a template), no file is read.
    await expect(engine.renderFile(plantedPath)).rejects.toThrow();
    await expect(engine.renderFile(relativePlanted)).rejects.toThrow();
    const error = describeLiquidError(await engine.renderFile(relativePlanted).catch((e: unknown) => e));
    expect(error).not.toContain(MARKER);
    expect(error).not.toContain(process.cwd());
  });

  it('a template cannot burn the CPU or the memory', async () => {
    const started = performance.now();
    const attempts = [
      '{% for i in (1..100000000) %}{% endfor %}x',
      '{% for a in (1..5000) %}{% for b in (1..5000) %}{% endfor %}{% endfor %}x',
      '{% assign s = "xxxxxxxxxx" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}',
    ];
    for (const attempt of attempts) {
      await expect(renderTemplate(attempt, variables)).rejects.toThrow(/limit exceeded/);
    }
    // Each stops at its limit (200 ms of rendering, 1 M units of memory), not when done.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('keeps own properties only: no prototype or constructor walking', async () => {
    await expect(
      renderTemplate('[{{ link.constructor }}{{ link.__proto__ }}{{ tenant_name.length }}]', variables),
    ).resolves.toBe('[10]');
  });

  it('describeLiquidError drops path-like text and the template excerpt', () => {
    expect(
      describeLiquidError(new Error('ENOENT: Failed to lookup "x" in "/srv/app,/srv/app/views"\n>> 1| x')),
    ).toBe('ENOENT: Failed to lookup "x" in "…,…"');
  });
});

describe.each(TEST_DIALECTS)('template sandbox over HTTP (%s)', (dialect) => {
  let app: TestApp;
  let token: string;
  let owner: AdminClient;
  const host = 'sandbox.example.com';

  beforeAll(async () => {
    app = await buildTestApp(dialect);
    const tenantId = (await createTenant(app.store.db, { name: 'Sandbox Café', hosts: [host] })).id;
    token = await createApiToken(app, tenantId, 'owner');
    const admin = await createAdmin(app, tenantId, { role: 'owner' });
    owner = new AdminClient(app, host);
    expect((await owner.signIn(admin.email)).statusCode).toBe(303);
  });
  afterAll(() => app.destroy());

  const api = (method: 'POST' | 'PATCH', url: string, payload: Record<string, unknown>) =>
    app.http.inject({ method, url, headers: { host, authorization: `Bearer ${token}` }, payload });

  it.each(ATTACKS)('POST /api/v1/settings/notifications/preview %s: 400, nothing leaks', async (attack) => {
    const preview = await api('POST', '/api/v1/settings/notifications/preview', { template: attack });
    expect(preview.statusCode).toBe(400);
    expectNoLeak(preview.body);
    const saved = await api('PATCH', '/api/v1/settings/notifications', { statusPageTemplate: attack });
    expect(saved.statusCode).toBe(400);
    expectNoLeak(saved.body);
  });

  it('the admin preview and save refuse the attacks with a form error, nothing leaks', async () => {
    for (const attack of ATTACKS) {
      for (const intent of ['preview', 'save']) {
        const page = await owner.post(
          '/admin/config/notifications',
          { intent, enabled: 'on', frequency: 'once', template: attack },
          '/admin/config/notifications',
        );
        // The form again, with its error (a refused save answers 400, a failed preview 200).
        expect(page.statusCode).toBe(intent === 'save' ? 400 : 200);
        expect(page.body).toContain('not a valid template');
        expectNoLeak(page.body);
      }
    }
  });
});
