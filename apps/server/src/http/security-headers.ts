import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifyInstance } from "fastify";
import helmet, { type HelmetOptions } from "helmet";

/**
 * The headers Helmet sets for these options, asked of Helmet once. With no directive given as a
 * function (a per-request nonce, say) they are the same on every response, so each request gets a
 * copy of the answer instead of running Helmet's thirteen middlewares again (4 % of the server's CPU
 * for an action, docs/performance.md). Options with a function are refused here: they would need
 * Helmet on every request.
 */
export function helmetHeaders(options: HelmetOptions): { set: Record<string, string>; remove: string[] } {
  const directives = typeof options.contentSecurityPolicy === "object" ? options.contentSecurityPolicy.directives : {};
  for (const [name, value] of Object.entries(directives ?? {}))
    if (typeof value === "function" || (Array.isArray(value) && value.some((v) => typeof v === "function")))
      throw new Error(`security headers: directive ${name} is computed per request`);
  const set: Record<string, string> = {};
  const remove: string[] = [];
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      set[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
    },
    removeHeader(name: string) {
      delete set[name.toLowerCase()];
      remove.push(name.toLowerCase());
    },
  };
  let finished = false;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
    finished = true;
  });
  if (!finished) throw new Error("security headers: Helmet did not finish at once");
  return { set, remove };
}

/** Helmet's security headers on every response (see `helmetHeaders`). */
export function registerSecurityHeaders(app: FastifyInstance, options: HelmetOptions): void {
  const { set, remove } = helmetHeaders(options);
  app.addHook("onRequest", (_request, reply, done) => {
    for (const name of remove) reply.raw.removeHeader(name);
    reply.headers(set);
    done();
  });
}
