import type { Config } from '../config/config.types.js';
import { formatInstant } from '../contract/timestamp.js';
import { isStale } from '../sources/sync.service.js';
import type { Store } from '../store/store.js';
import { errorBody, HttpError, notReady } from './http-error.js';
import { sameSecret, type RouteContext } from './route-context.js';

/** Health, readiness with the sources' sync state, and Prometheus metrics. */
export function registerOpsRoutes({ app, config, store, metrics, now }: RouteContext): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (request, reply) => {
    try {
      await store.ping();
      return { status: 'ready', sources: await sourceReport(config.current, store, now()) };
    } catch (error) {
      request.log.warn({ err: error }, 'database not answering');
      return reply.code(503).send(errorBody(notReady()));
    }
  });

  app.get('/metrics', async (request, reply) => {
    const bearer = request.headers.authorization?.replace(/^Bearer\s+/i, '') ?? '';
    const { metricsToken } = config.current;
    if (metricsToken && !sameSecret(bearer, metricsToken)) {
      throw new HttpError(401, 'bad_token', 'GET /metrics needs the metrics token as a bearer token.');
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}

/** Each source's sync state, by id (never its URL, which may hold a secret). */
async function sourceReport(config: Config, store: Store, at: number) {
  const states = new Map((await store.sourceStates()).map((state) => [state.sourceId, state]));
  return config.calendars.flatMap((calendar) =>
    calendar.resources.flatMap((resource) =>
      resource.sources.map((source) => {
        const state = states.get(source.id);
        return {
          id: source.id,
          stale: isStale(state, resource.syncEvery, at),
          synced_at: state?.syncedAt ? formatInstant(state.syncedAt) : null,
          failures: state?.failures ?? 0,
        };
      }),
    ),
  );
}
