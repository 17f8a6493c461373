import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The real executable, as a user runs it after `npm install` (which builds dist/).
const BIN = join(import.meta.dirname, '../../bin/slotline');
const folder = mkdtempSync(join(tmpdir(), 'slotline-cli-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const OPEN_ALWAYS = `calendars:
  - id: always
    timezone: Europe/Berlin
    duration: 30m
    hours: { mon-sun: ["00:00-24:00"] }
    resources: [{ id: a }, { id: b }]
`;

function file(name: string, text: string): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function serve(args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'serve', '--host', '127.0.0.1', ...args], {
    env: { ...process.env, PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return { child, url };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  child.kill('SIGKILL');
  throw new Error('slotline did not become ready');
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

const post = async (url: string, body: unknown) =>
  (
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  ).json();

describe('slotline validate-config', () => {
  it('should print a summary of each calendar and exit 0', () => {
    const run = spawnSync(process.execPath, [BIN, 'validate-config', 'examples/slotline.yaml'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('consultation (Initial consultation): Europe/Berlin, 30 min slots every 40 min');
    expect(run.stderr).toBe('');
  });

  it('should warn about an interval shorter than duration and buffers, and still exit 0', () => {
    const tight = file(
      'tight.yaml',
      OPEN_ALWAYS.replace('duration: 30m', 'duration: 45m\n    buffer_after: 15m\n    interval: 45m'),
    );
    const run = spawnSync(process.execPath, [BIN, 'validate-config', tight], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('always (always): Europe/Berlin, 45 min slots every 45 min');
    expect(run.stderr).toContain(
      'warning: calendars[0].interval: 45 min is shorter than duration + buffer_before + buffer_after (60 min)',
    );
  });

  it('should name the key path of the first problem and exit 1', () => {
    const bad = file('bad.yaml', OPEN_ALWAYS.replace('"00:00-24:00"', '"9-17"'));
    const run = spawnSync(process.execPath, [BIN, 'validate-config', bad], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('calendars[0].hours.mon-sun[0]: "9-17" is not HH:MM-HH:MM');
  });
});

describe('slotline migrate', () => {
  it('should create the schema in a new database and exit 0', () => {
    const database = join(folder, 'migrate', 'slotline.db');
    const run = spawnSync(
      process.execPath,
      [BIN, 'migrate', '--config', 'examples/slotline.yaml', '--database', `sqlite:${database}`],
      {
        encoding: 'utf8',
      },
    );
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('database is up to date');
    const again = spawnSync(process.execPath, [BIN, 'migrate', '--database', `sqlite:${database}`], {
      encoding: 'utf8',
    });
    expect(again.status).toBe(0);
  });
});

describe('slotline serve', () => {
  it('should refuse to start on a bad config, before listening', () => {
    const bad = file('bad-serve.yaml', OPEN_ALWAYS.replace('duration: 30m', 'duration: soon'));
    const run = spawnSync(process.execPath, [BIN, 'serve', '--config', bad, '--port', '0'], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('calendars[0].duration');
  });

  it('should keep every booking across SIGTERM and a restart, taking the database from the environment', async () => {
    const config = file('always.yaml', OPEN_ALWAYS);
    const env = { SLOTLINE_DATABASE: `sqlite:${join(folder, 'restart', 'slotline.db')}` };
    const first = await serve(['--config', config], env);
    const slots = (await post(`${first.url}/available`, {})).available as { start_iso: string }[];
    const booked: string[] = [];
    for (const [index, slot] of slots.slice(0, 5).entries()) {
      expect(await post(`${first.url}/book`, { contact_id: `c${index}`, start_iso: slot.start_iso })).toEqual({
        status: 'success',
      });
      booked.push(slot.start_iso);
    }
    first.child.kill('SIGTERM');
    expect(await exited(first.child)).toBe(0);

    const second = await serve(['--config', config], env);
    try {
      for (const [index, start] of booked.entries()) {
        expect(await post(`${second.url}/book`, { contact_id: `c${index}`, start_iso: start })).toEqual({
          status: 'success',
        });
        expect(await post(`${second.url}/book`, { contact_id: `x${index}`, start_iso: start })).toEqual({
          status: 'success',
        });
        expect((await post(`${second.url}/book`, { contact_id: `y${index}`, start_iso: start })).status).toBe('failed');
      }
    } finally {
      second.child.kill('SIGTERM');
      await exited(second.child);
    }
  });
});
