/**
 * A minimal OVSDB JSON-RPC 1.0 client over TCP (RFC 7047 §4). Messages on the wire are JSON
 * objects back to back with no delimiter, so incoming bytes are split by tracking brace depth
 * outside of strings. The server's `echo` keep-alives are answered; notifications are ignored.
 */
import { connect, type Socket } from 'node:net';

export class OvsdbConnectionError extends Error {
  override name = 'OvsdbConnectionError';
}
export class OvsdbRpcError extends Error {
  override name = 'OvsdbRpcError';
  constructor(readonly method: string, readonly error: unknown) {
    super(`OVSDB ${method} failed: ${typeof error === 'string' ? error : JSON.stringify(error)}`);
  }
}

/** Splits a byte stream into complete top-level JSON texts. */
export class JsonStreamSplitter {
  private buffer = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private start = 0;

  push(chunk: string): string[] {
    const out: string[] = [];
    const from = this.buffer.length;
    this.buffer += chunk;
    for (let i = from; i < this.buffer.length; i++) {
      const c = this.buffer[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === '"') this.inString = false;
        continue;
      }
      if (c === '"') this.inString = true;
      else if (c === '{' || c === '[') {
        if (this.depth === 0) this.start = i;
        this.depth++;
      } else if (c === '}' || c === ']') {
        this.depth--;
        if (this.depth === 0) out.push(this.buffer.slice(this.start, i + 1));
      }
    }
    if (this.depth === 0) {
      this.buffer = '';
      this.start = 0;
    }
    return out;
  }
}

type Pending = { method: string; resolve: (v: unknown) => void; reject: (e: Error) => void };

export class OvsdbClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedWith: Error | undefined;

  private constructor(private readonly socket: Socket) {
    const splitter = new JsonStreamSplitter();
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      for (const text of splitter.push(chunk)) this.onMessage(text);
    });
    socket.on('error', (e) => this.fail(new OvsdbConnectionError(`OVSDB connection error: ${e.message}`)));
    socket.on('close', () => this.fail(new OvsdbConnectionError('OVSDB connection closed')));
  }

  /** Connects, rejecting with OvsdbConnectionError on refusal or when `signal` aborts first. */
  static connect(host: string, port: number, signal: AbortSignal): Promise<OvsdbClient> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new OvsdbConnectionError(`connecting to ${host}:${port} aborted`));
      const socket = connect({ host, port });
      const onAbort = () => {
        socket.destroy();
        reject(new OvsdbConnectionError(`connecting to ${host}:${port} aborted`));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      socket.once('connect', () => {
        signal.removeEventListener('abort', onAbort);
        socket.removeAllListeners('error');
        resolve(new OvsdbClient(socket));
      });
      socket.once('error', (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(new OvsdbConnectionError(`cannot connect to OVSDB at ${host}:${port}: ${e.message}`));
      });
    });
  }

  request(method: string, params: unknown[], signal: AbortSignal): Promise<unknown> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.pending.delete(id);
        reject(new OvsdbConnectionError(`OVSDB ${method} aborted: ${String((signal.reason as Error)?.message ?? signal.reason)}`));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        method,
        resolve: (v) => {
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        reject: (e) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      });
      this.socket.write(JSON.stringify({ id, method, params }));
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onMessage(text: string): void {
    let message: { id?: unknown; method?: string; params?: unknown; result?: unknown; error?: unknown };
    try {
      message = JSON.parse(text);
    } catch {
      return this.fail(new OvsdbConnectionError(`OVSDB sent invalid JSON: ${text.slice(0, 200)}`));
    }
    if (message.method === 'echo') {
      this.socket.write(JSON.stringify({ id: message.id, result: message.params, error: null }));
      return;
    }
    if (typeof message.id !== 'number') return; // notifications (update, locked, ...) are not used
    const waiting = this.pending.get(message.id);
    if (!waiting) return;
    this.pending.delete(message.id);
    if (message.error !== null && message.error !== undefined) waiting.reject(new OvsdbRpcError(waiting.method, message.error));
    else waiting.resolve(message.result);
  }

  private fail(error: Error): void {
    if (this.closedWith) return;
    this.closedWith = error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    this.socket.destroy();
  }
}
