import type { FastifyInstance } from "fastify";
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/**
 * Prometheus metrics: process defaults, a count and duration per route and status, and where case
 * reads were answered from (`caseReads`: memory or the database), and how many transactions the
 * actions on cases took (`caseActions`: actions arriving together share one, docs/applications.md),
 * and how the messages of the federation's batch deliveries were applied (`federationBatches`:
 * together or each alone).
 */
export function registerMetrics(
  app: FastifyInstance,
  caseReads?: { memory: number; database: number },
  caseActions?: { actions: number; transactions: number },
  federationBatches?: { together: number; alone: number },
): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "tongban_" });
  const requests = new Counter({
    name: "tongban_http_requests_total",
    help: "HTTP requests answered, by method, route and status",
    labelNames: ["method", "route", "status"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "tongban_http_request_duration_seconds",
    help: "Time to answer HTTP requests, by method and route",
    labelNames: ["method", "route"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  if (caseReads)
    new Counter({
      name: "tongban_case_reads_total",
      help: "Case reads (GET /applications/{id}), by where they were answered from: memory or database",
      labelNames: ["source"],
      registers: [registry],
      collect() {
        this.reset();
        this.inc({ source: "memory" }, caseReads.memory);
        this.inc({ source: "database" }, caseReads.database);
      },
    });
  if (caseActions) {
    new Counter({
      name: "tongban_case_actions_total",
      help: "Actions taken on cases (committed)",
      registers: [registry],
      collect() {
        this.reset();
        this.inc(caseActions.actions);
      },
    });
    new Counter({
      name: "tongban_case_action_transactions_total",
      help: "Transactions that committed actions on cases (actions arriving together share one)",
      registers: [registry],
      collect() {
        this.reset();
        this.inc(caseActions.transactions);
      },
    });
  }
  if (federationBatches)
    new Counter({
      name: "tongban_federation_batch_messages_total",
      help: "Messages of batch deliveries to the federation inbox, by how they were applied: together (in the batch's transaction) or alone (each in its own, after something in the batch failed)",
      labelNames: ["applied"],
      registers: [registry],
      collect() {
        this.reset();
        this.inc({ applied: "together" }, federationBatches.together);
        this.inc({ applied: "alone" }, federationBatches.alone);
      },
    });
  app.addHook("onResponse", (request, reply, done) => {
    const route = request.routeOptions.url ?? "unmatched";
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    done();
  });
  return registry;
}
