import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../dialects.js';
import { appsOn, type Running } from './harness.js';
import { loggedApp } from './logged-app.js';

const NOW = Date.parse('2026-12-01T06:00:00Z');
const TOKEN = 'front-desk-token-0123456789abcdef';
const YAML = `admin:
  tokens:
    - { name: front-desk, token: "${TOKEN}" }
calendars:
  - { id: main, timezone: UTC, duration: 30m, hours: { mon-sun: ["09:00-12:00"] }, on_rebook: replace }
  - id: physio
    timezone: Europe/Berlin
    duration: 45m
    hours: { mon-sun: ["09:00-17:00"] }
    resources: [{ id: lena }, { id: tom }]
`;

interface Reply {
  readonly status: number;
  readonly type: string | null;
  readonly body: any;
}

async function get(app: Running, path: string, query: Record<string, string | number> = {}): Promise<Reply> {
  const search = new URLSearchParams(Object.entries(query).map(([key, value]) => [key, String(value)]));
  const response = await fetch(`${app.url}/api/v1${path}?${search}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return { status: response.status, type: response.headers.get('content-type'), body: await response.json() };
}

function expectBadField(reply: Reply, field: string): void {
  expect(reply.status).toBe(400);
  expect(reply.type).toMatch(/^application\/problem\+json\b/);
  expect(reply.body).toEqual(expect.objectContaining({ status: 400, field, detail: expect.any(String) }));
}

async function book(app: Running, calendar: string, body: Record<string, unknown>): Promise<void> {
  const answer = await app.post(`/calendars/${calendar}/book`, body);
  expect(answer.body).toEqual({ status: 'success' });
}

/** Seven bookings on main over two days, one on physio. */
async function seed(app: Running): Promise<void> {
  for (const [index, start] of [
    '2026-12-02T11:00:00Z',
    '2026-12-02T09:00:00Z',
    '2026-12-02T10:00:00Z',
    '2026-12-03T09:00:00Z',
    '2026-12-03T09:30:00Z',
    '2026-12-03T10:00:00Z',
    '2026-12-03T11:30:00Z',
  ].entries())
    await book(app, 'main', {
      contact_id: `caller-${index}`,
      start_iso: start,
      contact_details: { name: `Caller ${index}` },
    });
  await book(app, 'physio', {
    contact_id: 'c_123',
    external_contact_id: 'crm-42',
    start_iso: '2026-12-02T08:00:00Z',
    contact_details: { name: 'Ada Lovelace', email: 'Ada.Lovelace@Example.org', phone: '+49 170 1234567' },
  });
}

describe.each(DIALECTS)('reading bookings and the audit trail on %s', (dialect) => {
  const start = appsOn(dialect);
  const open = () => start({ yaml: YAML, now: NOW });

  it('should list active bookings by start, as the issue shows them', async () => {
    const app = await open();
    await seed(app);
    const reply = await get(app, '/bookings', { calendar: 'physio' });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      bookings: [
        {
          id: expect.any(String),
          calendar: 'physio',
          resource: expect.stringMatching(/^(lena|tom)$/),
          start_iso: '2026-12-02T08:00:00.000Z',
          end_iso: '2026-12-02T08:45:00.000Z',
          timezone: 'Europe/Berlin',
          status: 'active',
          contact_id: 'c_123',
          external_contact_id: 'crm-42',
          contact_details: { name: 'Ada Lovelace', email: 'Ada.Lovelace@Example.org', phone: '+49 170 1234567' },
          created_at: '2026-12-01T06:00:00.000Z',
          created_by: 'telli',
          cancelled_at: null,
          cancel_reason: null,
        },
      ],
      next_cursor: null,
    });
    const all = await get(app, '/bookings');
    expect(all.body.bookings.map((booking: any) => booking.start_iso)).toEqual([
      '2026-12-02T08:00:00.000Z',
      '2026-12-02T09:00:00.000Z',
      '2026-12-02T10:00:00.000Z',
      '2026-12-02T11:00:00.000Z',
      '2026-12-03T09:00:00.000Z',
      '2026-12-03T09:30:00.000Z',
      '2026-12-03T10:00:00.000Z',
      '2026-12-03T11:30:00.000Z',
    ]);
    const day = await get(app, '/bookings', {
      calendar: 'main',
      from: '2026-12-03T00:00:00Z',
      to: '2026-12-03T10:00:00Z',
    });
    expect(day.body.bookings.map((booking: any) => booking.start_iso)).toEqual([
      '2026-12-03T09:00:00.000Z',
      '2026-12-03T09:30:00.000Z',
    ]);
    const resource = (await get(app, '/bookings', { calendar: 'physio' })).body.bookings[0].resource;
    const other = resource === 'lena' ? 'tom' : 'lena';
    expect((await get(app, '/bookings', { resource })).body.bookings).toHaveLength(1);
    expect((await get(app, '/bookings', { calendar: 'physio', resource: other })).body.bookings).toEqual([]);
  });

  it('should filter by status: active by default, all for every status', async () => {
    const app = await open();
    await book(app, 'main', { contact_id: 'mover', start_iso: '2026-12-02T09:00:00Z' });
    await book(app, 'main', { contact_id: 'mover', start_iso: '2026-12-02T10:00:00Z' });
    const statuses = async (status?: string) =>
      (await get(app, '/bookings', status ? { status } : {})).body.bookings.map((booking: any) => [
        booking.start_iso,
        booking.status,
      ]);
    expect(await statuses()).toEqual([['2026-12-02T10:00:00.000Z', 'active']]);
    expect(await statuses('replaced')).toEqual([['2026-12-02T09:00:00.000Z', 'replaced']]);
    expect(await statuses('cancelled')).toEqual([]);
    expect(await statuses('all')).toEqual([
      ['2026-12-02T09:00:00.000Z', 'replaced'],
      ['2026-12-02T10:00:00.000Z', 'active'],
    ]);
  });

  it('should page over every booking with no gaps or repeats, also when starts tie', async () => {
    const app = await open();
    await seed(app);
    // Two resources, one start: a tie on start_at that only the id breaks.
    await book(app, 'physio', { contact_id: 'twin', start_iso: '2026-12-02T08:00:00Z' });
    const everything = (await get(app, '/bookings', { status: 'all' })).body.bookings.map((booking: any) => booking.id);
    expect(everything).toHaveLength(9);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const reply: Reply = await get(app, '/bookings', { status: 'all', limit: 2, ...(cursor && { cursor }) });
      expect(reply.status).toBe(200);
      seen.push(...reply.body.bookings.map((booking: any) => booking.id));
      cursor = reply.body.next_cursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(5);
    expect(seen).toEqual(everything);
  });

  it('should refuse a cursor that was tampered with or made for other filters', async () => {
    const app = await open();
    await seed(app);
    const first = await get(app, '/bookings', { calendar: 'main', limit: 2 });
    const cursor: string = first.body.next_cursor;
    expect(cursor).toEqual(expect.any(String));
    const rest = await get(app, '/bookings', { calendar: 'main', limit: 5, cursor });
    expect(rest.status).toBe(200);
    // Another process with the same tokens reads it; one whose tokens changed refuses it.
    const twin = await start({ yaml: YAML, now: NOW, database: app.database });
    expect(await get(twin, '/bookings', { calendar: 'main', limit: 5, cursor })).toEqual(rest);
    const rotated = await start({
      yaml: YAML.replace(
        '- { name: front-desk',
        `- { name: new, token: "${'n'.repeat(24)}" }\n    - { name: front-desk`,
      ),
      now: NOW,
      database: app.database,
    });
    expectBadField(await get(rotated, '/bookings', { calendar: 'main', limit: 5, cursor }), 'cursor');
    const [payload, mac] = cursor.split('.') as [string, string];
    const forged = Buffer.from(
      JSON.stringify([0, '', ...JSON.parse(Buffer.from(payload, 'base64url').toString()).slice(2)]),
    ).toString('base64url');
    for (const bad of [
      `${forged}.${mac}`,
      `${payload}.${mac.slice(0, -2)}AA`,
      `${payload}`,
      `${payload}.${mac}.x`,
      'not-a-cursor',
      '',
    ])
      expectBadField(await get(app, '/bookings', { calendar: 'main', limit: 2, cursor: bad }), 'cursor');
    expectBadField(await get(app, '/bookings', { limit: 2, cursor }), 'cursor');
    expectBadField(await get(app, '/bookings', { calendar: 'main', status: 'all', cursor }), 'cursor');
    expectBadField(await get(app, '/audit', { cursor }), 'cursor');
  });

  it('should answer one booking with its history, and 404 for an unknown id', async () => {
    const app = await open();
    await book(app, 'main', { contact_id: 'mover', start_iso: '2026-12-02T09:00:00Z' });
    await book(app, 'main', { contact_id: 'mover', start_iso: '2026-12-02T10:00:00Z' });
    const [replaced] = (await get(app, '/bookings', { status: 'replaced' })).body.bookings;
    const [replacement] = (await get(app, '/bookings', { status: 'active' })).body.bookings;
    const reply = await get(app, `/bookings/${encodeURIComponent(replaced.id)}`);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      ...replaced,
      history: [
        {
          at: '2026-12-01T06:00:00.000Z',
          actor: 'telli',
          action: 'booking.created',
          booking_id: replaced.id,
          time_off_id: null,
          before: null,
          after: {
            start_iso: '2026-12-02T09:00:00.000Z',
            end_iso: '2026-12-02T09:30:00.000Z',
            resource: 'main',
            status: 'active',
          },
        },
        {
          at: '2026-12-01T06:00:00.000Z',
          actor: 'telli',
          action: 'booking.replaced',
          booking_id: replaced.id,
          time_off_id: null,
          before: { status: 'active' },
          after: { status: 'replaced', replaced_by: replacement.id },
        },
      ],
    });
    for (const id of ['nope', 'x'.repeat(100), '%20']) expect((await get(app, `/bookings/${id}`)).status).toBe(404);
    // Fastify's router refuses a path parameter over 100 characters before any route sees it.
    expect((await get(app, `/bookings/${'x'.repeat(101)}`)).status).toBe(414);
    expectBadField(await get(app, `/bookings/a%00b`), 'id');
  });

  it('should page the audit trail oldest first, filtered by time and booking', async () => {
    const app = await open();
    await seed(app);
    app.setNow(NOW + 60_000);
    await book(app, 'main', { contact_id: 'caller-0', start_iso: '2026-12-04T09:00:00Z' });
    const all = await get(app, '/audit', { limit: 500 });
    expect(all.status).toBe(200);
    expect(all.body.next_cursor).toBeNull();
    expect(all.body.entries.map((entry: any) => entry.action)).toEqual([
      ...Array(8).fill('booking.created'),
      'booking.replaced',
      'booking.created',
    ]);
    const seen: unknown[] = [];
    let cursor: string | null = null;
    do {
      const reply: Reply = await get(app, '/audit', { limit: 3, ...(cursor && { cursor }) });
      seen.push(...reply.body.entries);
      cursor = reply.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(all.body.entries);
    const later = await get(app, '/audit', { from: new Date(NOW + 60_000).toISOString() });
    expect(later.body.entries.map((entry: any) => entry.action)).toEqual(['booking.replaced', 'booking.created']);
    const earlier = await get(app, '/audit', { to: new Date(NOW + 60_000).toISOString() });
    expect(earlier.body.entries).toHaveLength(8);
    const replacedId = later.body.entries[0].booking_id;
    const one = await get(app, '/audit', { booking: replacedId });
    expect(one.body.entries.map((entry: any) => [entry.action, entry.actor])).toEqual([
      ['booking.created', 'telli'],
      ['booking.replaced', 'telli'],
    ]);
  });

  it('should find bookings by q: ids, names and e-mails in any case, phone numbers however written', async () => {
    const app = await open();
    await seed(app);
    await book(app, 'main', {
      external_contact_id: 'CRM-7',
      start_iso: '2026-12-04T09:00:00Z',
      contact_details: { name: 'Grace Hopper', phone: '0170/1234567', extra: { mobile: 4930123456789 } },
    });
    const found = async (q: string, query: Record<string, string> = {}) => {
      const reply = await get(app, '/bookings', { q, status: 'all', ...query });
      expect(reply.status).toBe(200);
      return reply.body.bookings.map((booking: any) => booking.contact_details.name).sort();
    };
    const both = ['Ada Lovelace', 'Grace Hopper'];
    for (const phone of [
      '+49 170 1234567',
      '0170 1234567',
      '01701234567',
      '+491701234567',
      '(0170) 123-4567',
      '1234567',
    ])
      expect(await found(phone)).toEqual(both);
    expect(await found('+49 30 123456789')).toEqual(['Grace Hopper']);
    expect(await found('0171 1234567')).toEqual([]);
    expect(await found('ADA.LOVELACE@EXAMPLE.ORG')).toEqual(['Ada Lovelace']);
    expect(await found('ada.lovelace@ex')).toEqual(['Ada Lovelace']);
    expect(await found('lovelace')).toEqual(['Ada Lovelace']);
    expect(await found('ada LOVE')).toEqual(['Ada Lovelace']);
    expect(await found('C_123')).toEqual(['Ada Lovelace']);
    expect(await found('crm-42')).toEqual(['Ada Lovelace']);
    expect(await found('crm')).toEqual(both);
    expect(await found('caller 3')).toEqual(['Caller 3']);
    expect(await found('caller', { calendar: 'main', from: '2026-12-03T00:00:00Z' })).toEqual([
      'Caller 3',
      'Caller 4',
      'Caller 5',
      'Caller 6',
    ]);
    expect(await found('hopper', { calendar: 'physio' })).toEqual([]);
    expect(await found('nobody')).toEqual([]);
    expect(await found('%')).toEqual([]);
    expect(await found('   ')).toEqual([]);
    // Paging through the matches of q.
    const first = await get(app, '/bookings', { q: 'caller', limit: 4 });
    const second = await get(app, '/bookings', { q: 'caller', limit: 4, cursor: first.body.next_cursor });
    expect([...first.body.bookings, ...second.body.bookings].map((booking: any) => booking.contact_id)).toEqual([
      'caller-1',
      'caller-2',
      'caller-0',
      'caller-3',
      'caller-4',
      'caller-5',
      'caller-6',
    ]);
    expect(second.body.next_cursor).toBeNull();
    expectBadField(await get(app, '/bookings', { q: 'crm', limit: 4, cursor: first.body.next_cursor }), 'cursor');
  });

  it('should answer every bad query with a 400 naming the field, never a 5xx', async () => {
    const app = await open();
    await seed(app);
    const cases: [string, Record<string, string | number>, string][] = [
      ['/bookings', { limit: 0 }, 'limit'],
      ['/bookings', { limit: 501 }, 'limit'],
      ['/bookings', { limit: 'ten' }, 'limit'],
      ['/bookings', { limit: 1.5 }, 'limit'],
      ['/bookings', { status: 'gone' }, 'status'],
      ['/bookings', { calendar: 'nowhere' }, 'calendar'],
      ['/bookings', { resource: 'nobody' }, 'resource'],
      ['/bookings', { calendar: 'main', resource: 'lena' }, 'resource'],
      ['/bookings', { from: 'yesterday' }, 'from'],
      ['/bookings', { to: '2026-13-01T00:00:00Z' }, 'to'],
      ['/bookings', { from: '2026-12-03T00:00:00Z', to: '2026-12-03T00:00:00Z' }, 'to'],
      ['/bookings', { from: '2026-12-04T00:00:00Z', to: '2026-12-03T00:00:00Z' }, 'to'],
      ['/bookings', { q: 'x'.repeat(201) }, 'q'],
      ['/bookings', { q: '' }, 'q'],
      ['/bookings', { q: 'a\u0000b' }, 'q'],
      ['/bookings', { calendar: 'x'.repeat(10_000) }, 'calendar'],
      ['/bookings', { sort: 'start' }, 'sort'],
      ['/audit', { limit: 0 }, 'limit'],
      ['/audit', { limit: 501 }, 'limit'],
      ['/audit', { from: '2026-12-04T00:00:00Z', to: '2026-12-03T00:00:00Z' }, 'to'],
      ['/audit', { from: 'soon' }, 'from'],
      ['/audit', { booking: 'nope' }, 'booking'],
      ['/audit', { cursor: 'x'.repeat(600) }, 'cursor'],
    ];
    for (const [path, query, field] of cases) expectBadField(await get(app, path, query), field);
    expect((await get(app, '/bookings', { limit: 500 })).status).toBe(200);
    expect((await get(app, '/bookings', { limit: 1 })).body.bookings).toHaveLength(1);
  });
});

describe('searches in the logs', () => {
  it('should never log what q searched for: a phone number, an e-mail, a name', async () => {
    const { app, lines, close } = await loggedApp(YAML, { level: 'trace', now: NOW });
    try {
      for (const q of ['+49 170 1234567', 'ada.lovelace@example.org', 'Lovelace', 'x'.repeat(201)]) {
        const search = new URLSearchParams({ q, limit: '5' });
        const reply = await app.inject({
          method: 'GET',
          url: `/api/v1/bookings?${search}`,
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        expect(reply.statusCode).toBe(q.length > 200 ? 400 : 200);
      }
      const logs = lines.join('\n');
      expect(logs).toContain('q=[redacted]');
      for (const secret of ['1234567', 'lovelace', 'Lovelace', 'xxxxxxxx']) expect(logs).not.toContain(secret);
    } finally {
      await close();
    }
  });
});
