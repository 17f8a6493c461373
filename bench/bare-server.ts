/**
 * The ceiling of the HTTP stack: Fastify 5 with the logger off and one POST route that parses the
 * JSON body (as Slotline's routes do) and answers a fixed, pre-serialised JSON body.
 *
 * Usage: node dist/bench/bench/bare-server.js BODY_FILE PORT. Prints "listening" once it accepts connections.
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const [bodyFile = '', port] = process.argv.slice(2);
// Built once: the ceiling should include no work per request beyond HTTP and JSON parsing.
const body = readFileSync(bodyFile, 'utf8');

const app = Fastify({ logger: false });
app.post('/available', async (_request, reply) => reply.type('application/json; charset=utf-8').send(body));

await app.listen({ port: Number(port), host: '127.0.0.1' });
console.log('listening');
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => app.close().then(() => process.exit(0)));
