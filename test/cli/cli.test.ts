import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { BIN, PROCESS_TEST_TIMEOUT_MS, serve, stopAll } from '../slotline-process.js';

vi.setConfig({ testTimeout: PROCESS_TEST_TIMEOUT_MS, hookTimeout: PROCESS_TEST_TIMEOUT_MS });

const folder = mkdtempSync(join(tmpdir(), 'slotline-cli-'));
afterEach(stopAll);
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const OPEN_ALWAYS = `calendars:
  - id: always
    timezone: Europe/Berlin
    duration: 30m
    hours: { mon-sun: ["00:00-24:00"] }
    resources: [{ id: a }, { id: b }]
`;
const SIGNED = `signing_keys: ["\${KEY_A}", "\${KEY_B}"]\n${OPEN_ALWAYS}`;
const KEYS = { KEY_A: 'first-secret-key-8c1f', KEY_B: 'second-secret-key-3e9a' };
const ADMIN_TOKENS = { DESK_TOKEN: 'front-desk-token-5b2e9c7d41aa', OWNER_TOKEN: 'owner-token-0f3d6a8e92bc77' };
const ADMIN = `admin:
  tokens:
    - { name: front-desk, token: "\${DESK_TOKEN}" }
    - { name: owner, token: "\${OWNER_TOKEN}" }
${SIGNED}`;

function file(name: string, text: string): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

/** Runs a command to its end; one that hangs is killed when the test's time is up. */
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: PROCESS_TEST_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });

const post = async (url: string, body: unknown) =>
  (
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  ).json();

describe('slotline validate-config', () => {
  it('should print a summary of each calendar, say that signing is off, and exit 0', () => {
    const result = run(['validate-config', 'examples/slotline.yaml'], { TELLI_API_KEY: '' });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('consultation (Initial consultation): Europe/Berlin, 30 min slots every 40 min');
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('request signing OFF: no signing key configured, unsigned requests are accepted');
    expect(result.stdout).toContain('admin API off: no admin section');
    expect(result.stdout).toContain('webhooks off: no endpoint configured');
  });

  it('should say that the admin API is on and with how many tokens, never the tokens', () => {
    const result = run(['validate-config', file('admin.yaml', ADMIN)], { ...KEYS, ...ADMIN_TOKENS });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('admin API on: 2 tokens');
    for (const token of Object.values(ADMIN_TOKENS)) expect(result.stdout + result.stderr).not.toContain(token);
  });

  it('should refuse an admin token shorter than 24 characters, naming its key and not the token', () => {
    const result = run(['validate-config', file('short.yaml', ADMIN)], {
      ...KEYS,
      ...ADMIN_TOKENS,
      OWNER_TOKEN: 'short-owner-token',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('admin.tokens[1].token: must be at least 24 characters');
    expect(result.stderr).not.toContain('short-owner-token');
  });

  it('should say that signing is on and with how many keys, never the keys', () => {
    const result = run(['validate-config', file('signed.yaml', SIGNED)], KEYS);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('request signing on: 2 keys');
    for (const key of Object.values(KEYS)) expect(result.stdout + result.stderr).not.toContain(key);
  });

  it('should warn about an interval shorter than duration and buffers, and still exit 0', () => {
    const tight = file(
      'tight.yaml',
      OPEN_ALWAYS.replace('duration: 30m', 'duration: 45m\n    buffer_after: 15m\n    interval: 45m'),
    );
    const result = run(['validate-config', tight]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('always (always): Europe/Berlin, 45 min slots every 45 min');
    expect(result.stderr).toContain(
      'warning: calendars[0].interval: 45 min is shorter than duration + buffer_before + buffer_after (60 min)',
    );
  });

  it('should name the key path of the first problem and exit 1', () => {
    const bad = file('bad.yaml', OPEN_ALWAYS.replace('"00:00-24:00"', '"9-17"'));
    const result = run(['validate-config', bad]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('calendars[0].hours.mon-sun[0]: "9-17" is not HH:MM-HH:MM');
  });
});

describe('slotline migrate', () => {
  it('should say that it created the schema, naming the migrations, then that nothing was left to apply', () => {
    const database = `sqlite:${join(folder, 'migrate', 'slotline.db')}`;
    const first = run(['migrate', '--config', 'examples/slotline.yaml', '--database', database]);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^created the database schema: applied 0001-bookings, \S.*\n$/);
    expect(first.stdout).not.toContain('up to date');
    const latest = first.stdout.trim().split(', ').at(-1);

    const again = run(['migrate', '--database', database]);
    expect(again.status).toBe(0);
    expect(again.stdout).toBe(`database is up to date, nothing to apply (latest migration ${latest})\n`);
  });
});

describe('slotline serve', () => {
  it('should refuse to start on a bad config, before listening', () => {
    const bad = file('bad-serve.yaml', OPEN_ALWAYS.replace('duration: 30m', 'duration: soon'));
    const result = run(['serve', '--config', bad, '--port', '0']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('calendars[0].duration');
  });

  it('should log at start-up the config file it loaded and that signing is on with 2 keys, never the keys', async ({
    signal,
  }) => {
    const config = file('signed-serve.yaml', SIGNED);
    const slotline = await serve(['--config', config, '--database', `sqlite:${join(folder, 'signed', 'db')}`], {
      env: KEYS,
      signal,
    });
    const logs = slotline.logs();
    expect(logs).toContainEqual(expect.objectContaining({ msg: 'config loaded', config, calendars: ['always'] }));
    expect(logs).toContainEqual(expect.objectContaining({ msg: expect.stringMatching(/^request signing on: 2 keys/) }));
    expect(logs).toContainEqual(
      expect.objectContaining({ msg: expect.stringMatching(/^created the database schema/) }),
    );
    for (const key of Object.values(KEYS)) expect(slotline.output()).not.toContain(key);
    expect(logs).toContainEqual(expect.objectContaining({ msg: expect.stringMatching(/^admin API off/) }));
  });

  it('should log at start-up that the admin API is on with 2 tokens, never the tokens', async ({ signal }) => {
    const config = file('admin-serve.yaml', ADMIN);
    const slotline = await serve(['--config', config, '--database', `sqlite:${join(folder, 'admin', 'db')}`], {
      env: { ...KEYS, ...ADMIN_TOKENS },
      signal,
    });
    expect(slotline.logs()).toContainEqual(
      expect.objectContaining({ msg: expect.stringMatching(/^admin API on: 2 tokens/), admin_tokens: 2 }),
    );
    for (const token of Object.values(ADMIN_TOKENS)) expect(slotline.output()).not.toContain(token);
  });

  it('should keep every booking across SIGTERM and a restart, taking the database from the environment', async ({
    signal,
  }) => {
    const config = file('always.yaml', OPEN_ALWAYS);
    const env = { SLOTLINE_DATABASE: `sqlite:${join(folder, 'restart', 'slotline.db')}` };
    const first = await serve(['--config', config], { env, signal });
    const slots = (await post(`${first.url}/available`, {})).available as { start_iso: string }[];
    const booked: string[] = [];
    for (const [index, slot] of slots.slice(0, 5).entries()) {
      expect(await post(`${first.url}/book`, { contact_id: `c${index}`, start_iso: slot.start_iso })).toEqual({
        status: 'success',
      });
      booked.push(slot.start_iso);
    }
    expect(await first.stop()).toBe(0);
    // Log lines go out in batches: the last ones, written just before SIGTERM, are written on exit.
    const logged = first
      .logs()
      .filter((line) => line.msg === 'request completed' && (line.req as { url: string }).url === '/book');
    expect(logged).toHaveLength(booked.length);
    expect(first.logs()).toContainEqual(expect.objectContaining({ msg: 'shutting down' }));

    const second = await serve(['--config', config], { env, signal });
    for (const [index, start] of booked.entries()) {
      expect(await post(`${second.url}/book`, { contact_id: `c${index}`, start_iso: start })).toEqual({
        status: 'success',
      });
      expect(await post(`${second.url}/book`, { contact_id: `x${index}`, start_iso: start })).toEqual({
        status: 'success',
      });
      expect((await post(`${second.url}/book`, { contact_id: `y${index}`, start_iso: start })).status).toBe('failed');
    }
    expect(await second.stop()).toBe(0);
  });
});
