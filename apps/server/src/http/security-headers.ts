import type { FastifyInstance } from "fastify";
import helmet, { type HelmetOptions } from "helmet";

/**
 * Helmet's security headers on every response. The middleware is built once: `@fastify/helmet`
 * builds it again for every request (parsing the Content-Security-Policy each time), which was a
 * tenth of the server's CPU for a small JSON answer (docs/performance.md).
 */
export function registerSecurityHeaders(app: FastifyInstance, options: HelmetOptions): void {
  const apply = helmet(options);
  app.addHook("onRequest", (request, reply, done) => {
    apply(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined));
  });
}
