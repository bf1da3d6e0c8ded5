import type { AccountWithPlace } from "../modules/accounts/accounts.repository.ts";
import type { Actor } from "../policy/policy.ts";

declare module "fastify" {
  interface Session {
    accountId?: string;
    _csrf?: string;
  }
  interface FastifyRequest {
    /** Set by `app.authenticate`: the logged-in account, fresh from the database. */
    account?: AccountWithPlace;
  }
  interface FastifyContextConfig {
    /** Unsafe routes need the CSRF token unless they set this to false (login, register). */
    csrf?: boolean;
  }
  interface FastifyInstance {
    authenticate: (request: FastifyRequest) => Promise<void>;
    actorOf: (request: FastifyRequest) => Actor;
  }
}
