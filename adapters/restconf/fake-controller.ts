/**
 * A loopback fake SDN controller speaking enough RESTCONF (RFC 8040) for the adapter's tests:
 * a JSON datastore keyed by data path, ETags per resource, POST/PUT/PATCH/DELETE/GET with the
 * RFC's status codes and `ietf-restconf:errors` bodies, plus scripted faults (next N requests
 * answer a given status, or hang).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Fault = { status: number; errorTag: string; message: string; retryAfter?: string } | { hang: true };

export interface FakeController {
  baseUrl: string;
  store: Map<string, unknown>;
  /** Requests received, as "METHOD path". */
  log: string[];
  /** The next `count` data requests get this fault instead of being served. */
  failNext(count: number, fault: Fault): void;
  /** Validation rule: reject payloads whose `bandwidth` leaf exceeds this (400 invalid-value). */
  maxBandwidth: number;
  close(): Promise<void>;
}

const MEDIA = 'application/yang-data+json';

function errors(tag: string, message: string, path?: string) {
  return { 'ietf-restconf:errors': { error: [{ 'error-type': 'application', 'error-tag': tag, ...(path ? { 'error-path': path } : {}), 'error-message': message }] } };
}

function findBandwidth(value: unknown): number | undefined {
  if (!value || typeof value !== 'object') return undefined;
  for (const [k, v] of Object.entries(value)) {
    if (k === 'bandwidth' && typeof v === 'number') return v;
    const nested = findBandwidth(v);
    if (nested !== undefined) return nested;
  }
  return undefined;
}

function merge(target: unknown, patch: unknown): unknown {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch) || !target || typeof target !== 'object') return patch;
  const out: Record<string, unknown> = { ...(target as Record<string, unknown>) };
  for (const [k, v] of Object.entries(patch)) out[k] = merge(out[k], v);
  return out;
}

export async function startFakeController(): Promise<FakeController> {
  const store = new Map<string, unknown>();
  const etags = new Map<string, string>();
  const log: string[] = [];
  const faults: Fault[] = [];
  let version = 0;
  const hanging = new Set<ServerResponse>();

  const send = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { ...(body !== undefined ? { 'Content-Type': MEDIA } : {}), ...headers });
    res.end(body !== undefined ? JSON.stringify(body) : undefined);
  };
  const touch = (path: string) => {
    version += 1;
    etags.set(path, `"v${version}"`);
  };

  const fake: FakeController = {
    baseUrl: '',
    store,
    log,
    maxBandwidth: 10_000,
    failNext(count, fault) {
      for (let i = 0; i < count; i++) faults.push(fault);
    },
    async close() {
      for (const res of hanging) res.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    log.push(`${req.method} ${url.pathname}${req.headers['if-match'] ? ` If-Match: ${req.headers['if-match']}` : ''}`);

    if (url.pathname === '/restconf/yang-library-version') return send(res, 200, { 'ietf-restconf:yang-library-version': '2019-01-04' });
    if (!url.pathname.startsWith('/restconf/data/')) return send(res, 404, errors('invalid-value', 'unknown resource'));
    const fault = faults.shift();
    if (fault && 'hang' in fault) {
      hanging.add(res);
      return;
    }
    if (fault) return send(res, fault.status, errors(fault.errorTag, fault.message), fault.retryAfter ? { 'Retry-After': fault.retryAfter } : {});

    const path = decodeURIComponent(url.pathname.slice('/restconf/data/'.length));
    if (req.headers['content-type'] && req.headers['content-type'] !== MEDIA) return send(res, 415, errors('invalid-value', 'unsupported media type'));
    let body: unknown;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        return send(res, 400, errors('malformed-message', 'body is not JSON'));
      }
      const bandwidth = findBandwidth(body);
      if (bandwidth !== undefined && bandwidth > fake.maxBandwidth) {
        return send(res, 400, errors('invalid-value', `bandwidth ${bandwidth} exceeds ${fake.maxBandwidth}`, `/${path}/bandwidth`));
      }
    }
    const ifMatch = req.headers['if-match'];
    if (ifMatch && store.has(path) && ifMatch !== etags.get(path)) return send(res, 412, errors('operation-failed', 'entity tag does not match'));

    switch (req.method) {
      case 'GET':
        return store.has(path) ? send(res, 200, store.get(path), { ETag: etags.get(path)! }) : send(res, 404, errors('invalid-value', `${path} does not exist`));
      case 'POST': {
        // The child's path is <parent>/<top-level key>=<its "name" leaf>.
        const [key, value] = Object.entries((body ?? {}) as Record<string, unknown>)[0] ?? [];
        const entry = Array.isArray(value) ? value[0] : value;
        const name = entry && typeof entry === 'object' ? (entry as { name?: unknown }).name : undefined;
        if (!key || name === undefined) return send(res, 400, errors('malformed-message', 'POST body needs one child with a "name" key'));
        const child = `${path}/${key}=${String(name)}`;
        if (store.has(child)) return send(res, 409, errors('data-exists', `${child} already exists`, `/${child}`));
        store.set(child, body);
        touch(child);
        return send(res, 201, undefined, { Location: `/restconf/data/${encodeURI(child)}`, ETag: etags.get(child)! });
      }
      case 'PUT': {
        const existed = store.has(path);
        store.set(path, body);
        touch(path);
        return send(res, existed ? 204 : 201, undefined, { ETag: etags.get(path)! });
      }
      case 'PATCH':
        if (!store.has(path)) return send(res, 404, errors('invalid-value', `${path} does not exist`));
        store.set(path, merge(store.get(path), body));
        touch(path);
        return send(res, 204, undefined, { ETag: etags.get(path)! });
      case 'DELETE':
        if (!store.delete(path)) return send(res, 404, errors('invalid-value', `${path} does not exist`));
        return send(res, 204);
      default:
        return send(res, 405, errors('operation-not-supported', `${req.method} not supported`));
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e) => send(res, 500, errors('operation-failed', String(e))));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  fake.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/restconf`;
  return fake;
}
