import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { API_PREFIX } from './api.routes.js';

/**
 * The OpenAPI document (`GET /openapi.json`) built by @fastify/swagger from the routes' own
 * schemas, and swagger-ui reading it at `/docs` (its assets come from node_modules, no CDN).
 * It collects routes as they are declared, so it must be registered before any of them.
 */
export function registerOpenApi(app: FastifyInstance): void {
  app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Slotline',
        version: '1',
        description: `telli's Generic Calendar endpoints, and the business's API under ${API_PREFIX}.`,
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An admin token from the config (admin.tokens).' },
          telliSignature: {
            type: 'apiKey',
            in: 'header',
            name: 'x-telli-signature',
            description: 'Lowercase hex HMAC-SHA256 of the raw body, keyed with a signing key (signing_keys).',
          },
        },
      },
    },
  });
  app.register(swaggerUi, { routePrefix: '/docs' });
  app.register(async (scope) => {
    scope.get('/openapi.json', { schema: { hide: true } }, async () => scope.swagger());
  });
}
