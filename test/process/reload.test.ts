import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { PROCESS_TEST_TIMEOUT_MS, serve, stopAll, type SlotlineProcess } from '../slotline-process.js';

vi.setConfig({ testTimeout: PROCESS_TEST_TIMEOUT_MS, hookTimeout: PROCESS_TEST_TIMEOUT_MS });

const folder = mkdtempSync(join(tmpdir(), 'slotline-reload-'));
afterEach(stopAll);
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const TOKENS = { OLD_TOKEN: 'old-desk-token-4c1d9e7a22b0', NEW_TOKEN: 'new-desk-token-8f3b6a1c55e7' };

/** One calendar in UTC open `hours` every day, an hour's notice, the admin API with `tokenVar`'s token. */
function configText(hours: string, tokenVar = 'OLD_TOKEN'): string {
  return `admin:
  tokens: [{ name: front-desk, token: "\${${tokenVar}}" }]
calendars:
  - id: physio
    timezone: UTC
    duration: 30m
    min_notice: 1h
    horizon: 3d
    hours: { mon-sun: ["${hours}"] }
`;
}

const hourOf = (iso: string) => new Date(iso).getUTCHours();
const pad = (hour: number) => String(hour).padStart(2, '0');
/** The hour from `hour` to the next, as the config writes it: 23 gives "23:00-24:00". */
const hourRange = (hour: number) => `${pad(hour)}:00-${pad(hour + 1)}:00`;

const reloaded = (slotline: SlotlineProcess) =>
  slotline.nextLog((entry) => entry.msg === 'config reloaded' || String(entry.msg).startsWith('config reload failed'));

/** GETs over one kept-alive connection; answers the status, the body and the client port of the connection. */
function getOn(agent: Agent, url: string, token: string) {
  return new Promise<{ status: number; body: any; port: number }>((resolve, reject) => {
    const sent = request(url, { agent, headers: { authorization: `Bearer ${token}` } }, (response) => {
      // Read now: the socket goes back to the agent when the body ends.
      const port = response.socket.localPort!;
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(text), port }));
    });
    sent.on('error', reject);
    sent.end();
  });
}

async function starts(slotline: SlotlineProcess): Promise<string[]> {
  const answer = await slotline.post('/available', {});
  expect(answer.status).toBe(200);
  return (answer.body.available as { start_iso: string }[]).map((slot) => slot.start_iso);
}

describe('slotline serve reloads its config file on SIGHUP', () => {
  it('should put new hours and tokens in force for the next request, over a connection kept open, and log misfits', async ({
    signal,
  }) => {
    const file = join(folder, 'reload.yaml');
    writeFileSync(file, configText('00:00-24:00'));
    const database = `sqlite:${join(folder, 'reload.db')}`;
    const slotline = await serve(['--config', file, '--database', database], { env: TOKENS, signal });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(slotline.logs().find((entry) => entry.msg?.toString().startsWith('every future booking'))).toMatchObject({
        misfits: 0,
      });
      const [first] = await starts(slotline);
      expect(await slotline.post('/book', { contact_id: 'c-reload', start_iso: first })).toMatchObject({
        body: { status: 'success' },
      });
      const before = await getOn(agent, `${slotline.url}/api/v1/bookings`, TOKENS.OLD_TOKEN);
      expect(before.status).toBe(200);
      const bookingId = before.body.bookings[0].id as string;

      // Open only at an hour half a day away from the booking, which no longer fits.
      const openHour = (hourOf(first!) + 12) % 24;
      writeFileSync(file, configText(hourRange(openHour), 'NEW_TOKEN'));
      const misfitsLogged = slotline.nextLog((entry) => entry.misfits !== undefined);
      // Still no signing key: said again, as at start.
      const unsigned = slotline.nextLog((entry) => String(entry.msg).startsWith('NO SIGNING KEY'));
      const done = reloaded(slotline);
      slotline.child.kill('SIGHUP');
      expect(await done).toMatchObject({ msg: 'config reloaded', calendars: ['physio'], admin_tokens: 1 });
      expect(await unsigned).toMatchObject({ level: 40 });

      const after = await starts(slotline);
      expect(after.length).toBeGreaterThan(0);
      expect(new Set(after.map(hourOf))).toEqual(new Set([openHour]));
      // The same connection, still open, now needs the new token.
      const refused = await getOn(agent, `${slotline.url}/api/v1/calendars`, TOKENS.OLD_TOKEN);
      const allowed = await getOn(agent, `${slotline.url}/api/v1/calendars`, TOKENS.NEW_TOKEN);
      expect([refused.status, allowed.status]).toEqual([401, 200]);
      expect([refused.port, allowed.port]).toEqual([before.port, before.port]);

      const misfits = await misfitsLogged;
      expect(misfits).toMatchObject({
        level: 40,
        misfits: 1,
        bookings: [{ id: bookingId, calendar: 'physio', resource: 'physio', start: first, reason: 'outside_hours' }],
      });
      // Ids only: nothing the caller told about themselves.
      expect(JSON.stringify(misfits)).not.toContain('c-reload');
    } finally {
      agent.destroy();
    }
  });

  it('should keep the config in force when the new file is invalid, naming the key at fault', async ({ signal }) => {
    const file = join(folder, 'invalid.yaml');
    writeFileSync(file, configText('09:00-17:00'));
    const slotline = await serve(['--config', file, '--database', `sqlite:${join(folder, 'invalid.db')}`], {
      env: TOKENS,
      signal,
    });
    const before = await starts(slotline);

    writeFileSync(file, configText('9-17'));
    const failed = reloaded(slotline);
    slotline.child.kill('SIGHUP');
    expect(await failed).toMatchObject({
      level: 50,
      msg: 'config reload failed: the config in force stays',
      key: 'calendars[0].hours.mon-sun[0]',
    });
    expect(await starts(slotline)).toEqual(before);
  });

  it('should say a restart is needed for the database, and keep serving from the one it opened', async ({ signal }) => {
    const file = join(folder, 'restart.yaml');
    writeFileSync(file, `database: sqlite:${join(folder, 'first.db')}\n${configText('09:00-17:00')}`);
    const slotline = await serve(['--config', file], { env: TOKENS, signal });
    const [first] = await starts(slotline);
    expect(await slotline.post('/book', { contact_id: 'c-kept', start_iso: first })).toMatchObject({
      body: { status: 'success' },
    });

    writeFileSync(file, `database: sqlite:${join(folder, 'second.db')}\n${configText('09:00-17:00')}`);
    const restart = slotline.nextLog((entry) => String(entry.msg).startsWith('restart needed'));
    const done = reloaded(slotline);
    slotline.child.kill('SIGHUP');
    expect(await restart).toMatchObject({ level: 40, key: 'database' });
    expect(await done).toMatchObject({ msg: 'config reloaded' });
    // The booking is still listed: the process reads the database it opened.
    const listed = await fetch(`${slotline.url}/api/v1/bookings`, {
      headers: { authorization: `Bearer ${TOKENS.OLD_TOKEN}` },
    });
    expect((await listed.json()).bookings).toHaveLength(1);
  });

  it('should turn the API off when admin is taken out, and need a restart to turn it on', async ({ signal }) => {
    const file = join(folder, 'admin.yaml');
    const withoutAdmin = configText('09:00-17:00').replace(/^admin:\n.*\n/, '');
    writeFileSync(file, configText('09:00-17:00'));
    const slotline = await serve(['--config', file, '--database', `sqlite:${join(folder, 'admin.db')}`], {
      env: TOKENS,
      signal,
    });
    const calendars = async () =>
      (await fetch(`${slotline.url}/api/v1/calendars`, { headers: { authorization: `Bearer ${TOKENS.OLD_TOKEN}` } }))
        .status;
    expect(await calendars()).toBe(200);

    writeFileSync(file, withoutAdmin);
    let done = reloaded(slotline);
    slotline.child.kill('SIGHUP');
    expect(await done).toMatchObject({ msg: 'config reloaded', admin_tokens: 0 });
    expect(await calendars()).toBe(404);

    writeFileSync(file, configText('09:00-17:00'));
    done = reloaded(slotline);
    slotline.child.kill('SIGHUP');
    expect(await done).toMatchObject({ admin_tokens: 1 });
    expect(await calendars()).toBe(200);

    // Started without it, the API has no routes: a reload cannot add them.
    const other = join(folder, 'no-admin.yaml');
    writeFileSync(other, withoutAdmin);
    const plain = await serve(['--config', other, '--database', `sqlite:${join(folder, 'no-admin.db')}`], {
      env: TOKENS,
      signal,
    });
    writeFileSync(other, configText('09:00-17:00'));
    const restart = plain.nextLog((entry) => String(entry.msg).startsWith('restart needed'));
    done = reloaded(plain);
    plain.child.kill('SIGHUP');
    expect(await restart).toMatchObject({ key: 'admin' });
    expect(await done).toMatchObject({ msg: 'config reloaded', admin_tokens: 0 });
    const answer = await fetch(`${plain.url}/api/v1/calendars`, {
      headers: { authorization: `Bearer ${TOKENS.OLD_TOKEN}` },
    });
    expect(answer.status).toBe(404);
  });
});
