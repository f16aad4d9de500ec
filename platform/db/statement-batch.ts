/**
 * One statement for many callers, the way group publishing shares one JetStream write: a call made
 * while `maxInFlight` statements of its kind are already running waits, and the calls that waited
 * meanwhile run together as one statement when a slot frees. Alone, a call runs at once, by itself,
 * so batching adds no latency when Junction is idle and grows with load exactly when round trips
 * (a socket write and a wake-up of the server per statement) are what costs.
 *
 * `run` receives the inputs in call order and answers one output per input, in the same order.
 * If it throws, every caller of that batch gets the error: statements batched this way must be
 * ones whose failures are not about one input (a lost connection, a deadlock), and each input's
 * own outcome must be part of its output.
 */
export interface StatementBatchOptions {
  /** Most inputs in one statement. */
  maxBatch?: number;
  /** Statements of this kind running at once (a row lock one of them waits on must not hold up every caller). */
  maxInFlight?: number;
}

interface Waiting<In, Out> {
  input: In;
  resolve(out: Out): void;
  reject(err: unknown): void;
}

export function statementBatch<In, Out>(run: (inputs: In[]) => Promise<Out[]>, options: StatementBatchOptions = {}): (input: In) => Promise<Out> {
  const maxBatch = options.maxBatch ?? 64;
  const maxInFlight = options.maxInFlight ?? 2;
  const queue: Array<Waiting<In, Out>> = [];
  let inFlight = 0;

  const settle = (batch: Array<Waiting<In, Out>>, outputs: Out[]) => {
    if (outputs.length !== batch.length) {
      const err = new Error(`a batched statement answered ${outputs.length} results for ${batch.length} inputs`);
      for (const w of batch) w.reject(err);
      return;
    }
    batch.forEach((w, i) => w.resolve(outputs[i]!));
  };

  const pump = () => {
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      inFlight++;
      // run() is called synchronously here but may throw before returning a promise: keep that inside the chain.
      Promise.resolve()
        .then(() => run(batch.map((w) => w.input)))
        .then(
          (outputs) => settle(batch, outputs),
          (err) => {
            for (const w of batch) w.reject(err);
          },
        )
        .finally(() => {
          inFlight--;
          pump();
        });
    }
  };

  return (input) =>
    new Promise<Out>((resolve, reject) => {
      queue.push({ input, resolve, reject });
      pump();
    });
}
