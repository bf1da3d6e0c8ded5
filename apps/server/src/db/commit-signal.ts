// Tells in-process listeners when a transaction that wrote ledger outbox rows has committed, so the
// sequencer wakes at once instead of on its next tick. It wraps the Kysely driver: a connection is
// marked when it runs an INSERT INTO outbox (alone or in a WITH), and the mark fires after that
// transaction's COMMIT (or right away for a statement outside a transaction); a rollback clears it.
import type {
  CompiledQuery,
  DatabaseConnection,
  Dialect,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from "kysely";

// An INSERT INTO outbox, alone or as a data-modifying WITH (the exchange gateway writes a batch of
// queries' outbox and access rows in one statement).
const OUTBOX_INSERT = /^\s*(?:with\b[\s\S]*?\binsert\s+into\s+"?outbox"?[\s(]|insert\s+into\s+"?outbox"?[\s(])/i;

export class CommitSignal {
  readonly #listeners = new Set<() => void>();

  /** Calls `listener` after every commit that wrote outbox rows; answers a function to stop. */
  on(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(): void {
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch {
        // A listener's failure is its own; the commit has happened either way.
      }
    }
  }
}

class WatchedConnection implements DatabaseConnection {
  inTransaction = false;
  wroteOutbox = false;

  constructor(
    readonly inner: DatabaseConnection,
    private readonly signal: CommitSignal,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.inner.executeQuery<R>(query);
    if (OUTBOX_INSERT.test(query.sql)) {
      if (this.inTransaction) this.wroteOutbox = true;
      else this.signal.emit();
    }
    return result;
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

class WatchedDriver implements Driver {
  savepoint?: Driver["savepoint"];
  rollbackToSavepoint?: Driver["rollbackToSavepoint"];
  releaseSavepoint?: Driver["releaseSavepoint"];

  constructor(
    private readonly inner: Driver,
    private readonly signal: CommitSignal,
  ) {
    // Kysely checks for these optional methods; offer them only when the real driver has them.
    for (const method of ["savepoint", "rollbackToSavepoint", "releaseSavepoint"] as const) {
      const real = inner[method];
      if (real)
        this[method] = (connection: DatabaseConnection, name: string, compile: QueryCompiler["compileQuery"]) =>
          real.call(inner, (connection as WatchedConnection).inner, name, compile);
    }
  }

  init() {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new WatchedConnection(await this.inner.acquireConnection(), this.signal);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings) {
    const watched = connection as WatchedConnection;
    await this.inner.beginTransaction(watched.inner, settings);
    watched.inTransaction = true;
    watched.wroteOutbox = false;
  }

  async commitTransaction(connection: DatabaseConnection) {
    const watched = connection as WatchedConnection;
    try {
      await this.inner.commitTransaction(watched.inner);
    } finally {
      watched.inTransaction = false;
    }
    if (watched.wroteOutbox) {
      watched.wroteOutbox = false;
      this.signal.emit();
    }
  }

  async rollbackTransaction(connection: DatabaseConnection) {
    const watched = connection as WatchedConnection;
    watched.inTransaction = false;
    watched.wroteOutbox = false;
    await this.inner.rollbackTransaction(watched.inner);
  }

  releaseConnection(connection: DatabaseConnection) {
    return this.inner.releaseConnection((connection as WatchedConnection).inner);
  }

  destroy() {
    return this.inner.destroy();
  }
}

/** The same dialect, with its driver reporting outbox-writing commits to `signal`. */
export function watchOutboxCommits(dialect: Dialect, signal: CommitSignal): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => new WatchedDriver(dialect.createDriver(), signal),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db: Kysely<unknown>) => dialect.createIntrospector(db),
  };
}
