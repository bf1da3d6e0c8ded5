// The federation sender's schedule: it wakes after each commit that wrote ledger rows (queuing a
// message writes one) and on a timer for retries, and runs one delivery round at a time.
import type { Database } from "../../db/database.ts";
import type { FederationService } from "./federation.service.ts";

export interface Delivery {
  wake(): void;
  /** Resolves when no round is running or asked for (tests). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export function startDelivery({
  federation,
  database,
  intervalMs = 500,
  batchSize = 200,
  onError = () => {},
}: {
  federation: Pick<FederationService, "deliverDue" | "forgetOldNonces">;
  database: Pick<Database, "outboxCommits">;
  intervalMs?: number;
  batchSize?: number;
  onError?: (error: unknown) => void;
}): Delivery {
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  let waiters: (() => void)[] = [];

  const settle = () => {
    if (running) return;
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  };

  const wake = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          const round = await federation.deliverDue(batchSize);
          if (round.taken === batchSize) again = true;
        } catch (error) {
          onError(error);
        }
      } while (again && !stopped);
      running = undefined;
      settle();
    })();
  };

  const unsubscribe = database.outboxCommits.on(wake);
  const timer = setInterval(wake, intervalMs);
  timer.unref();
  const sweep = setInterval(() => {
    federation.forgetOldNonces().catch(onError);
  }, 60_000);
  sweep.unref();
  wake();

  return {
    wake,
    idle: () =>
      new Promise<void>((resolve) => {
        waiters.push(resolve);
        settle();
      }),
    async stop() {
      stopped = true;
      unsubscribe();
      clearInterval(timer);
      clearInterval(sweep);
      await running;
      settle();
    },
  };
}
