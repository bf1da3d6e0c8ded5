import { ErrorBody, LoginRequest, RegisterRequest, SessionInfo, TotpEnrolRequest } from "@tongban/contracts";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { AppError } from "../../http/errors.ts";
import type { AccountWithPlace } from "../accounts/accounts.repository.ts";
import { type AccountsService, toCurrentUser } from "../accounts/accounts.service.ts";
import type { AuthService } from "./auth.service.ts";

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 423: ErrorBody, 429: ErrorBody };

/** Starts a fresh session for the account (a new id, so a planted id is useless) and answers it. */
async function startSession(request: FastifyRequest, reply: FastifyReply, account: AccountWithPlace) {
  await request.session.regenerate();
  request.session.set("accountId", account.id);
  return { user: toCurrentUser(account), csrfToken: reply.generateCsrf() };
}

export const authRoutes: FastifyPluginAsyncZod<{
  auth: AuthService;
  accounts: AccountsService;
  loginRateLimit: number;
}> = async (app, { auth, accounts, loginRateLimit }) => {
  const limited = { rateLimit: { max: loginRateLimit, timeWindow: "1 minute" }, csrf: false };

  app.post(
    "/auth/register",
    {
      config: limited,
      schema: {
        tags: ["auth"],
        summary: "Register a resident (ID number) or an enterprise (credit code); logs the new account in",
        body: RegisterRequest,
        response: { 201: SessionInfo, ...errors },
      },
    },
    async (request, reply) => {
      const account = await accounts.register(request.body);
      reply.status(201);
      return startSession(request, reply, account);
    },
  );

  app.post(
    "/auth/login",
    {
      config: limited,
      schema: {
        tags: ["auth"],
        summary: "Log in with the ID number, credit code or staff account; staff also send a TOTP code",
        body: LoginRequest,
        response: { 200: SessionInfo, ...errors },
      },
    },
    async (request, reply) => startSession(request, reply, await auth.login(request.body)),
  );

  app.post(
    "/auth/totp/enrol",
    {
      config: limited,
      schema: {
        tags: ["auth"],
        summary: "Confirm an authenticator enrolment with its first code; logs the staff member in",
        body: TotpEnrolRequest,
        response: { 200: SessionInfo, ...errors },
      },
    },
    async (request, reply) =>
      startSession(request, reply, await auth.completeEnrolment(request.body.enrolmentToken, request.body.totp)),
  );

  app.post(
    "/auth/logout",
    { schema: { tags: ["auth"], summary: "End the current session", response: { 204: z.null(), 403: ErrorBody } } },
    async (request, reply) => {
      await request.session.destroy();
      reply.clearCookie("tongban.sid", { path: "/" });
      return reply.status(204).send(null);
    },
  );

  app.get(
    "/auth/me",
    {
      preHandler: app.authenticate,
      schema: {
        tags: ["auth"],
        summary: "The logged-in account and a CSRF token",
        response: { 200: SessionInfo, 401: ErrorBody },
      },
    },
    async (request, reply) => {
      if (!request.account) throw new AppError("UNAUTHENTICATED");
      return { user: toCurrentUser(request.account), csrfToken: reply.generateCsrf() };
    },
  );
};
