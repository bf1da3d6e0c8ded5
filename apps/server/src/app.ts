import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import multipart from "@fastify/multipart";
import rateLimit from "@fastify/rate-limit";
import fastifyStatic from "@fastify/static";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import { jsonSchemaTransform, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import type { Config } from "./config.ts";
import type { Database } from "./db/database.ts";
import { pendingMigrations } from "./db/migrate.ts";
import { AppError, registerErrorHandling, registerNotFound, registerNulCheck } from "./http/errors.ts";
import { registerMetrics } from "./http/metrics.ts";
import { registerSecurityHeaders } from "./http/security-headers.ts";
import { responseSerializerCompiler } from "./http/serializer.ts";
import { sessionPlugin } from "./http/session.plugin.ts";
import "./http/types.ts";
import { staffRoutes } from "./modules/accounts/accounts.routes.ts";
import { createAccountsService } from "./modules/accounts/accounts.service.ts";
import { applicationsRoutes } from "./modules/applications/applications.routes.ts";
import { createApplicationsService } from "./modules/applications/applications.service.ts";
import { authRoutes } from "./modules/auth/auth.routes.ts";
import { createAuthService } from "./modules/auth/auth.service.ts";
import { createAuthCache } from "./modules/auth/auth-cache.ts";
import { loadCatalog } from "./modules/catalog/catalog.loader.ts";
import { catalogRoutes } from "./modules/catalog/catalog.routes.ts";
import { createCatalogService } from "./modules/catalog/catalog.service.ts";
import { createCertificateMaterialsService } from "./modules/certificates/certificate-materials.ts";
import {
  certificateMaterialsRoutes,
  certificatesPublicRoutes,
  certificatesRoutes,
} from "./modules/certificates/certificates.routes.ts";
import { createCertificatesService } from "./modules/certificates/certificates.service.ts";
import { departmentsRoutes } from "./modules/departments/departments.routes.ts";
import { createDepartmentsService } from "./modules/departments/departments.service.ts";
import { enquiriesRoutes } from "./modules/enquiries/enquiries.routes.ts";
import { createEnquiriesService } from "./modules/enquiries/enquiries.service.ts";
import type { Connector } from "./modules/exchange/connectors.ts";
import { exchangeRoutes } from "./modules/exchange/exchange.routes.ts";
import { createExchangeService } from "./modules/exchange/exchange.service.ts";
import { createFederatedCasesService } from "./modules/federation/cases.ts";
import { federationRoutes } from "./modules/federation/federation.routes.ts";
import { createFederationService, type DeliveryOptions } from "./modules/federation/federation.service.ts";
import type { NodeIdentity } from "./modules/federation/identity.ts";
import type { PeerTransport } from "./modules/federation/transport.ts";
import type { TrustStore } from "./modules/federation/trust-list.ts";
import { createWitnessing } from "./modules/federation/witness.ts";
import { ledgerApiRoutes, ledgerPublicRoutes } from "./modules/ledger/ledger.routes.ts";
import { createLedgerService } from "./modules/ledger/ledger.service.ts";
import { notificationsRoutes } from "./modules/notifications/notifications.routes.ts";
import { createNotificationsService } from "./modules/notifications/notifications.service.ts";
import type { PaymentGateway } from "./modules/payments/gateway.ts";
import { invoicesPublicRoutes, paymentsNotifyRoutes, paymentsRoutes } from "./modules/payments/payments.routes.ts";
import { createPaymentsService } from "./modules/payments/payments.service.ts";
import { regionsRoutes } from "./modules/regions/regions.routes.ts";
import { createRegionsService } from "./modules/regions/regions.service.ts";
import { securityRoutes } from "./modules/security/security.routes.ts";
import { createSecurityService } from "./modules/security/security.service.ts";
import { createSignaturesService } from "./modules/signatures/signatures.service.ts";
import type { FileStore } from "./ports/files.ts";
import type { Clock, Ids, KeyStore } from "./ports/index.ts";
import { localOutboxSender, type MessageSender } from "./ports/messaging.ts";

export interface AppDeps {
  config: Config;
  database: Database;
  clock: Clock;
  ids: Ids;
  keys: KeyStore;
  files: FileStore;
  /** SMS and email; the local outbox adapter when not given. */
  messages?: MessageSender;
  /** The catalogue folder to load and publish at start (its `services/` subfolder). */
  catalogDir?: string;
  /** The ledger's origin line, e.g. `ledger.fuzhou.example/v1`; names the log in its checkpoints. */
  ledgerOrigin?: string;
  logger?: FastifyServerOptions["logger"];
  /** Data-sharing connectors; HTTP with signed requests and the data pools when not given. */
  exchangeConnectors?: Partial<{ http: Connector; table: Connector }>;
  /** The node's place in a federation of regional nodes (跨省通办); none for a node on its own. */
  federation?: FederationDeps;
  /** The payment gateway (WeChat Pay API v3 adapter, against WeChat Pay or the sandbox); none: no online payment. */
  paymentGateway?: PaymentGateway;
  /** Where the gateway sends notifications, when not `<PUBLIC_URL>api/v1/payments/notify`. */
  paymentNotifyUrl?: string;
}

export interface FederationDeps {
  identity: NodeIdentity;
  trust: TrustStore;
  transport: PeerTransport;
  delivery?: DeliveryOptions;
  /** /readyz answers 200 only when every peer's /readyz does (the first node of the demo). */
  readyPeers?: boolean;
}

export function buildServices(
  deps: Pick<
    AppDeps,
    | "database"
    | "clock"
    | "ids"
    | "config"
    | "keys"
    | "files"
    | "messages"
    | "ledgerOrigin"
    | "exchangeConnectors"
    | "federation"
    | "paymentGateway"
    | "paymentNotifyUrl"
  >,
  log: (error: unknown) => void = () => {},
) {
  const { database, clock, ids, config } = deps;
  const db = database.db;
  const regions = createRegionsService({ db });
  const departments = createDepartmentsService({ db, clock, ids, regions });
  const authCache = createAuthCache(config.authCacheSeconds * 1000);
  const accounts = createAccountsService({ db, clock, ids, departments, cache: authCache });
  const auth = createAuthService({
    db,
    clock,
    ids,
    accounts,
    policy: { lockoutThreshold: config.lockoutThreshold, lockoutMinutes: config.lockoutMinutes, issuer: "Tongban" },
  });
  const catalog = createCatalogService({ db, clock, ids, departments });
  const signatures = createSignaturesService({ clock, keys: deps.keys });
  const notifications = createNotificationsService({
    db,
    clock,
    ids,
    sender: deps.messages ?? localOutboxSender(),
    log,
  });
  const ledger = createLedgerService({
    db,
    clock,
    keys: deps.keys,
    origin: deps.ledgerOrigin ?? "tongban.local/ledger",
    sm2: config.ledgerSm2,
  });
  const exchange = createExchangeService({
    db,
    clock,
    ids,
    keys: deps.keys,
    departments,
    connectors: deps.exchangeConnectors,
    listen: database.listen,
  });
  const certificates = createCertificatesService({
    db,
    clock,
    ids,
    keys: deps.keys,
    files: deps.files,
    ledger,
    publicUrl: config.publicUrl ?? `http://localhost:${config.port}/`,
    // In a federation, every member's certificate key in the signed trust list is trusted too.
    federationTrustList: deps.federation ? () => deps.federation?.trust.current().list : undefined,
  });
  const payments = createPaymentsService({
    db,
    clock,
    ids,
    keys: deps.keys,
    ledger,
    notifications,
    ...(deps.paymentGateway ? { gateway: deps.paymentGateway } : {}),
    publicUrl: config.publicUrl ?? `http://localhost:${config.port}/`,
    ...(deps.paymentNotifyUrl ? { notifyUrl: deps.paymentNotifyUrl } : {}),
    // Without PUBLIC_URL, the payer returns from the cashier to the address they came from.
    returnToRequestOrigin: !config.publicUrl,
    trust: () => certificates.trust.current(),
  });
  const applications = createApplicationsService({
    db,
    clock,
    ids,
    files: deps.files,
    catalog,
    notifications,
    signatures,
    exchange,
    certificates,
    fees: payments,
    caseCacheMs: config.caseCacheSeconds * 1000,
    listen: database.listen,
  });
  // A case kept in memory before its last step was on the ledger is forgotten when that step is.
  ledger.onIntegrated(applications.ledgerListener);
  const certificateMaterials = createCertificateMaterialsService({
    db,
    clock,
    ids,
    certificates,
    applications,
    catalog,
  });
  const security = createSecurityService({ db });
  const enquiries = createEnquiriesService({ db, clock, ids, catalog, departments, notifications });
  const federation = deps.federation
    ? createFederationService({
        db,
        clock,
        ids,
        identity: deps.federation.identity,
        trust: deps.federation.trust,
        transport: deps.federation.transport,
        delivery: deps.federation.delivery ?? { retryMaxMs: config.federationRetryMaxSeconds * 1000 },
      })
    : undefined;
  const federatedCases =
    federation && deps.federation
      ? createFederatedCasesService({
          db,
          clock,
          ids,
          federation,
          transport: deps.federation.transport,
          applications,
          accounts,
          catalog,
          files: deps.files,
        })
      : undefined;
  const witnessing =
    federation && deps.federation
      ? createWitnessing({
          db,
          clock,
          identity: deps.federation.identity,
          trust: deps.federation.trust,
          transport: deps.federation.transport,
          ledger,
          federation,
          log: (message, details) => log({ message, ...details }),
        })
      : undefined;
  return {
    authCache,
    enquiries,
    regions,
    departments,
    accounts,
    auth,
    catalog,
    signatures,
    notifications,
    applications,
    certificates,
    certificateMaterials,
    payments,
    ledger,
    exchange,
    security,
    federation,
    federatedCases,
    witnessing,
  };
}
export type Services = ReturnType<typeof buildServices>;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance & { services: Services }> {
  const { config, database, keys } = deps;
  const app = Fastify({
    logger: deps.logger ?? { level: config.logLevel },
    genReqId: (request) => {
      const given = request.headers["x-request-id"];
      return typeof given === "string" && /^[\w.-]{8,64}$/.test(given) ? given : randomUUID();
    },
    trustProxy: config.trustProxy,
    bodyLimit: 1_048_576,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(responseSerializerCompiler({ check: config.checkResponses }));
  registerErrorHandling(app);
  registerNulCheck(app);
  app.addHook("onRequest", (request, reply, done) => {
    reply.header("x-request-id", request.id);
    done();
  });

  const services = buildServices(deps, (error) => app.log.warn({ err: error }, "a message could not be sent"));
  if (deps.catalogDir) {
    // A regional node publishes its own region's items; a node serving every region publishes all.
    const items = loadCatalog(join(deps.catalogDir, "services")).filter(
      ({ item }) => !config.nodeRegion || item.regionCode === config.nodeRegion,
    );
    const published = await services.catalog.syncFromFiles(items);
    if (published.length > 0) app.log.info({ published }, "catalogue items published from files");
  }
  const metrics = registerMetrics(
    app,
    services.applications.caseReads,
    services.applications.caseActions,
    services.federation?.inboxBatches,
  );

  registerSecurityHeaders(app, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // Ant Design writes its styles at run time.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:"],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
  });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => ({ statusCode: 429, code: "RATE_LIMITED", retryAfter: context.after }),
  });
  await app.register(multipart, { limits: { fileSize: 50 * 1_048_576, files: 1, fields: 5, parts: 6 } });
  await app.register(sessionPlugin, {
    db: database.db,
    secret: keys.getOrCreate("session-secret", () => deps.ids.token(48)),
    ttlMinutes: config.sessionTtlMinutes,
    secureCookies: config.secureCookies,
    accounts: services.accounts,
    cache: services.authCache,
  });

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Tongban API",
        version: "1",
        description:
          "The API of Tongban (通办), a digital-government platform. Errors answer `{ code, message, details }`. " +
          "Unsafe requests need the session cookie and the CSRF token from login or /auth/me in the `x-csrf-token` header.",
      },
      components: {
        securitySchemes: {
          session: { type: "apiKey", in: "cookie", name: "tongban.sid" },
          csrf: { type: "apiKey", in: "header", name: "x-csrf-token" },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: "/api/docs", staticCSP: true });

  await app.register(ledgerPublicRoutes, { ledger: services.ledger });
  app.get("/api/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  app.get("/healthz", { schema: { hide: true } }, async () => ({ status: "ok" }));
  app.get<{ Querystring: { local?: string } }>("/readyz", { schema: { hide: true } }, async (request) => {
    try {
      await database.ping();
    } catch (error) {
      throw new AppError("NOT_READY", { database: (error as Error).message });
    }
    const pending = await pendingMigrations(database);
    if (pending.length > 0) throw new AppError("NOT_READY", { pendingMigrations: pending });
    // `?local=1` (what a peer asks) checks this node alone: two nodes that each wait for the
    // other's readiness would otherwise ask each other forever.
    if (deps.federation?.readyPeers && services.federation && request.query.local === undefined) {
      const waiting = await peersNotReady(services.federation);
      if (waiting.length > 0) throw new AppError("NOT_READY", { peersNotReady: waiting });
    }
    return { status: "ready", database: database.kind };
  });
  app.get("/metrics", { schema: { hide: true } }, async (_request, reply) => {
    reply.type(metrics.contentType);
    return metrics.metrics();
  });

  await app.register(
    async (api) => {
      await api.register(regionsRoutes, { regions: services.regions });
      await api.register(departmentsRoutes, { departments: services.departments });
      await api.register(authRoutes, {
        auth: services.auth,
        accounts: services.accounts,
        loginRateLimit: config.loginRateLimitPerMinute,
      });
      await api.register(staffRoutes, { accounts: services.accounts });
      await api.register(catalogRoutes, { catalog: services.catalog });
      await api.register(applicationsRoutes, { applications: services.applications });
      await api.register(certificatesRoutes, { certificates: services.certificates });
      await api.register(certificatesPublicRoutes, { certificates: services.certificates });
      await api.register(certificateMaterialsRoutes, { materials: services.certificateMaterials });
      await api.register(paymentsRoutes, { payments: services.payments });
      await api.register(paymentsNotifyRoutes, { payments: services.payments });
      await api.register(invoicesPublicRoutes, { payments: services.payments });
      await api.register(notificationsRoutes, { notifications: services.notifications });
      await api.register(enquiriesRoutes, { enquiries: services.enquiries });
      await api.register(ledgerApiRoutes, { ledger: services.ledger });
      await api.register(exchangeRoutes, { exchange: services.exchange });
      await api.register(securityRoutes, { security: services.security });
      await api.register(federationRoutes, {
        federation: services.federation,
        cases: services.federatedCases,
        witnessing: services.witnessing,
        peerRateLimit: config.federationRateLimitPerMinute,
      });
    },
    { prefix: "/api/v1" },
  );

  const webDist = config.webDist;
  const serveWeb = Boolean(webDist && existsSync(join(webDist, "index.html")));
  if (serveWeb && webDist) {
    await app.register(fastifyStatic, { root: webDist, wildcard: false, index: ["index.html"] });
  }
  registerNotFound(app, serveWeb);
  // Queries being recorded finish before the database closes; the exchange and the applications
  // stop listening.
  app.addHook("onClose", () => Promise.all([services.exchange.close(), services.applications.close()]));
  app.decorate("services", services);
  return app as unknown as FastifyInstance & { services: Services };
}

/** The peers whose own /readyz (`?local=1`) does not answer 200 (within two seconds). */
async function peersNotReady(federation: NonNullable<Services["federation"]>): Promise<string[]> {
  const { peers } = await federation.peers();
  const answers = await Promise.all(
    peers
      .filter((peer) => !peer.self && peer.valid)
      .map(async (peer) => {
        try {
          const response = await fetch(new URL("readyz?local=1", peer.url), { signal: AbortSignal.timeout(2000) });
          return response.ok ? undefined : peer.regionCode;
        } catch {
          return peer.regionCode;
        }
      }),
  );
  return answers.filter((code): code is string => code !== undefined);
}
