import { perConfig } from '../config/live-config.js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { adminTokenFinder } from '../http/admin-token.js';
import { formField, type DashboardContext } from './dashboard-context.js';
import { html, page } from './html.js';
import { cameOverHttps, csrfToken, SESSION_COOKIE, SESSION_MS } from './session.js';
import { STRINGS } from './strings.js';

export const SIGN_IN_PATH = '/admin/sign-in';

/** Sign-in attempts per client address and minute; a front desk needs a handful, a guesser many. */
const SIGN_INS_PER_MINUTE = 10;

/** Sign in with an admin token, and sign out: the only dashboard pages open without a session. */
export function registerSignIn(scope: FastifyInstance, context: DashboardContext): void {
  const tokenName = perConfig((config) => adminTokenFinder(config.admin?.tokens ?? []));

  scope.get('/sign-in', async (request, reply) => {
    if (context.sessions.open(request.cookies[SESSION_COOKIE], context.now()) !== undefined) {
      return reply.redirect('/admin', 303);
    }
    return signInPage(reply);
  });

  scope.post(
    '/sign-in',
    {
      config: { rateLimit: { max: SIGN_INS_PER_MINUTE, timeWindow: 60_000 } },
      preHandler: scope.csrfProtection,
    },
    async (request, reply) => {
      const name = tokenName(context.config.current)(formField(request.body, 'token') ?? '');
      if (name === undefined) {
        request.log.warn('dashboard sign-in refused');
        return signInPage(reply.code(401), STRINGS.wrongToken);
      }
      const now = context.now();
      reply.setCookie(SESSION_COOKIE, context.sessions.seal(name, now + SESSION_MS), {
        path: '/admin',
        httpOnly: true,
        sameSite: 'strict',
        secure: cameOverHttps(request),
        maxAge: SESSION_MS / 1000,
      });
      request.log.info({ actor: name }, 'dashboard sign-in');
      return reply.redirect('/admin', 303);
    },
  );

  scope.post('/sign-out', { preHandler: scope.csrfProtection }, async (request, reply) => {
    reply.clearCookie(SESSION_COOKIE, { path: '/admin', httpOnly: true, sameSite: 'strict' });
    return reply.redirect(SIGN_IN_PATH, 303);
  });
}

function signInPage(reply: FastifyReply, error?: string) {
  const csrf = csrfToken(reply);
  const body = html`<h1>${STRINGS.signInTitle}</h1>
    <p>${STRINGS.signInIntro}</p>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <form method="post" action="${SIGN_IN_PATH}" class="stack">
      <input type="hidden" name="_csrf" value="${csrf}" />
      <label for="token">${STRINGS.tokenLabel}</label>
      <input id="token" name="token" type="password" autocomplete="current-password" required autofocus />
      <button type="submit">${STRINGS.signIn}</button>
    </form>`;
  return reply.type('text/html; charset=utf-8').send(page({ title: STRINGS.signInTitle, body }));
}
