import SwaggerParser from '@apidevtools/swagger-parser';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../dialects.js';
import { appsOn } from './harness.js';
import { loggedApp } from './logged-app.js';

const NOW = Date.parse('2026-12-01T06:00:00Z');
const TOKEN = 'front-desk-token-0123456789abcdef';
const OWNER_TOKEN = 'owner-token-0123456789abcdefghij';
const ADMIN = `admin:\n  tokens:\n    - { name: front-desk, token: "${TOKEN}" }\n    - { name: owner, token: "${OWNER_TOKEN}" }\n`;
const CALENDARS = `calendars:
  - id: physio
    name: Physiotherapy
    timezone: Europe/Berlin
    duration: 45m
    hours: { mon-fri: ["09:00-17:00"] }
    resources: [{ id: lena, name: Lena }, { id: tom }]
  - { id: main, timezone: UTC, duration: 30m, hours: { mon-sun: ["09:00-12:00"] } }
`;

interface Reply {
  readonly status: number;
  readonly type: string | null;
  readonly text: string;
  readonly body: any;
}

async function get(url: string, token?: string, authorization = token && `Bearer ${token}`): Promise<Reply> {
  const response = await fetch(url, { headers: authorization ? { authorization } : {} });
  const text = await response.text();
  const type = response.headers.get('content-type');
  return { status: response.status, type, text, body: type?.includes('json') ? JSON.parse(text) : undefined };
}

function expectProblem(reply: Reply, status: number): void {
  expect(reply.status).toBe(status);
  expect(reply.type).toMatch(/^application\/problem\+json\b/);
  expect(reply.body).toEqual(
    expect.objectContaining({ type: 'about:blank', title: expect.any(String), status, detail: expect.any(String) }),
  );
}

/** The hooks a POST route runs, its own and its scopes', as Fastify prints them. */
function hooksOf(app: FastifyInstance, route: string): string[] {
  const lines = app.printRoutes({ method: 'POST', includeHooks: true, commonPrefix: false }).split('\n');
  const at = lines.findIndex((line) => line.endsWith(` ${route} (POST)`));
  expect(at).toBeGreaterThanOrEqual(0);
  const hooks: string[] = [];
  for (const line of lines.slice(at + 1)) {
    if (!line.includes('•')) break;
    hooks.push(line);
  }
  return hooks;
}

describe.each(DIALECTS)('the business API on %s', (dialect) => {
  const start = appsOn(dialect);
  const withAdmin = () => start({ yaml: ADMIN + CALENDARS, now: NOW });

  it('should answer 404 problems for the API, and 404 for its document and docs page, without admin', async () => {
    const { url } = await start({ yaml: CALENDARS, now: NOW });
    expectProblem(await get(`${url}/api/v1/calendars`, TOKEN), 404);
    expectProblem(await get(`${url}/api/v1/calendars`), 404);
    expect((await get(`${url}/openapi.json`)).status).toBe(404);
    expect((await get(`${url}/docs`)).status).toBe(404);
    expect((await get(`${url}/docs/`)).status).toBe(404);
  });

  it("should add no hook to telli's routes", async () => {
    const [plain, admin] = [await start({ yaml: CALENDARS, now: NOW }), await withAdmin()];
    for (const route of ['/available', '/book', '/calendars/:calendarId/available', '/calendars/:calendarId/book']) {
      expect(hooksOf(admin.app, route)).toEqual(hooksOf(plain.app, route));
    }
  });

  it('should list the calendars and their resources to either token', async () => {
    const { url } = await withAdmin();
    const expected = {
      calendars: [
        {
          id: 'physio',
          name: 'Physiotherapy',
          timezone: 'Europe/Berlin',
          resources: [
            { id: 'lena', name: 'Lena' },
            { id: 'tom', name: 'tom' },
          ],
        },
        { id: 'main', name: 'main', timezone: 'UTC', resources: [{ id: 'main', name: 'main' }] },
      ],
    };
    for (const token of [TOKEN, OWNER_TOKEN]) {
      const reply = await get(`${url}/api/v1/calendars`, token);
      expect(reply.status).toBe(200);
      expect(reply.type).toMatch(/^application\/json\b/);
      expect(reply.body).toEqual(expected);
    }
    expect((await get(`${url}/api/v1/calendars`, undefined, `bearer   ${TOKEN}`)).status).toBe(200);
  });

  it('should answer 401 problems for a missing, wrong, shortened or lengthened token, and no other scheme', async () => {
    const { url } = await withAdmin();
    const refused = [
      undefined,
      'Bearer',
      'Bearer ',
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Bearer ${TOKEN.slice(0, 10)}`,
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN} ${TOKEN}`,
      `Basic ${Buffer.from(`front-desk:${TOKEN}`).toString('base64')}`,
      TOKEN,
    ];
    for (const authorization of refused) {
      const reply = await get(`${url}/api/v1/calendars`, undefined, authorization);
      expectProblem(reply, 401);
      expect(reply.text).not.toContain(TOKEN);
    }
    const response = await fetch(`${url}/api/v1/calendars`);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('should answer a 404 problem for an unknown path under /api/v1, after the token check', async () => {
    const { url } = await withAdmin();
    const reply = await get(`${url}/api/v1/nothing/here?x=1`, TOKEN);
    expectProblem(reply, 404);
    expect(reply.body.detail).toBe('No route GET /api/v1/nothing/here.');
    expectProblem(await get(`${url}/api/v1`, TOKEN), 404);
    expectProblem(await get(`${url}/api/v1/nothing/here`), 401);
  });

  it('should answer a 4xx problem for a method without a route, whatever the body, never a 5xx', async () => {
    const { url } = await withAdmin();
    const post = async (type: string, body: string): Promise<Reply> => {
      const response = await fetch(`${url}/api/v1/calendars`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': type },
        body,
      });
      return {
        status: response.status,
        type: response.headers.get('content-type'),
        text: '',
        body: await response.json(),
      };
    };
    // A JSON body is read before the missing route answers, so its own problem comes first.
    expectProblem(await post('application/json', '{"broken'), 400);
    expectProblem(await post('application/json', 'x'.repeat(70_000)), 413);
    expectProblem(await post('text/plain', 'hello'), 404);
    expectProblem(await post('application/json', '{}'), 404);
  });

  it('should leave telli routes and their error answers as they were', async () => {
    const { url, post } = await withAdmin();
    expect((await post('/calendars/main/available', {})).status).toBe(200);
    const book = await post('/calendars/main/book', { start_iso: 5 });
    expect(book).toEqual({ status: 200, body: { status: 'failed', reason: expect.any(String) } });
    const missing = await get(`${url}/nothing`);
    expect(missing.status).toBe(404);
    expect(missing.type).toMatch(/^application\/json\b/);
    expect(missing.body).toEqual({ error: 'not_found', message: expect.any(String) });
  });

  it('should publish a valid OpenAPI 3.1 document with the API and the telli endpoints, and a docs page', async () => {
    const { url } = await withAdmin();
    const reply = await get(`${url}/openapi.json`);
    expect(reply.status).toBe(200);
    const document = reply.body;
    expect(document.openapi).toBe('3.1.0');
    await SwaggerParser.validate(structuredClone(document));
    expect(document.components.securitySchemes.bearer).toEqual(
      expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    );
    const bookings = document.paths['/api/v1/bookings'].get;
    expect(bookings.parameters.map((parameter: { name: string }) => parameter.name)).toEqual(
      expect.arrayContaining(['calendar', 'resource', 'from', 'to', 'status', 'q', 'limit', 'cursor']),
    );
    const booking = bookings.responses['200'].content['application/json'].schema.properties.bookings.items;
    expect(booking.properties.cancel_reason.anyOf).toEqual([{ type: 'string' }, { type: 'null' }]);
    expect(document.paths['/api/v1/bookings/{id}'].get.responses).toHaveProperty('404');
    expect(document.paths['/api/v1/audit'].get.responses['200'].content['application/json'].schema.required).toEqual([
      'entries',
      'next_cursor',
    ]);
    const create = document.paths['/api/v1/bookings'].post;
    expect(Object.keys(create.requestBody.content['application/json'].schema.properties)).toEqual(
      expect.arrayContaining(['calendar', 'start_iso', 'resource', 'contact_id', 'contact_details', 'force']),
    );
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '400', '409']));
    const move = document.paths['/api/v1/bookings/{id}/move'].post;
    expect(move.requestBody.content['application/json'].schema.required).toEqual(['start_iso']);
    expect(move.responses['409'].content['application/problem+json'].schema.properties).toHaveProperty('alternatives');
    const calendars = document.paths['/api/v1/calendars'].get;
    expect(calendars.security).toEqual([{ bearer: [] }]);
    expect(calendars.responses['401'].content['application/problem+json'].schema.required).toContain('detail');
    const mails = document.paths['/api/v1/email/deliveries'].get;
    expect(mails.parameters.map((parameter: { name: string }) => parameter.name)).toEqual([
      'status',
      'limit',
      'cursor',
    ]);
    expect(Object.keys(document.paths['/api/v1/email/deliveries/{id}/retry'].post.responses)).toEqual(
      expect.arrayContaining(['200', '404', '409']),
    );
    for (const path of ['/available', '/calendars/{calendarId}/available']) {
      expect(document.paths[path].post.requestBody.content['application/json'].schema.properties).toHaveProperty(
        'contact_id',
      );
    }
    expect(
      document.paths['/calendars/{calendarId}/book'].post.requestBody.content['application/json'].schema.properties,
    ).toHaveProperty('start_iso');
    expect(Object.keys(document.paths).filter((path) => path.startsWith('/docs') || path === '/openapi.json')).toEqual(
      [],
    );

    const docs = await fetch(`${url}/docs`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await docs.text();
    expect(html).toContain('swagger-ui');
    expect(html).not.toMatch(/src="https?:/);
  });
});

describe('admin tokens in the logs', () => {
  it('should never log a token, right or wrong', async () => {
    const { app, lines, close } = await loggedApp(ADMIN + CALENDARS, { level: 'trace', now: NOW });
    try {
      const wrong = `${TOKEN}-wrong`;
      for (const authorization of [`Bearer ${TOKEN}`, `Bearer ${wrong}`, TOKEN]) {
        await app.inject({ method: 'GET', url: '/api/v1/calendars', headers: { authorization } });
        await app.inject({ method: 'GET', url: '/api/v1/missing', headers: { authorization } });
        await app.inject({
          method: 'POST',
          url: '/api/v1/calendars',
          headers: { authorization, 'content-type': 'application/json' },
          payload: '{"broken',
        });
      }
      expect(lines.length).toBeGreaterThan(5);
      const logs = lines.join('\n');
      expect(logs).not.toContain(TOKEN.slice(0, 12));
      expect(logs).not.toContain(OWNER_TOKEN.slice(0, 12));
    } finally {
      await close();
    }
  });
});
