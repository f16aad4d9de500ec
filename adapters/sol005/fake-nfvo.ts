/**
 * A loopback fake NFVO answering like ETSI NFV-SOL 005 NS LCM: NS instances, instantiate and
 * terminate and scale (SCALE_NS to levels per aspect) tasks returning 202 with a Location to an LCM operation occurrence that completes
 * asynchronously after `operationMs`, retry of FAILED_TEMP occurrences, ProblemDetails errors,
 * SOL013 `(eq,attr,value)` filters. Scripted outcomes make the next operations end FAILED or
 * FAILED_TEMP; `failNext` answers the next requests with a status (e.g. 503).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type OpState = 'PROCESSING' | 'COMPLETED' | 'FAILED_TEMP' | 'FAILED';
interface ScaleInfo { nsScalingAspectId: string; nsScaleLevelId: string }
interface Instance { id: string; nsInstanceName: string; nsdId: string; nsState: 'NOT_INSTANTIATED' | 'INSTANTIATED'; nsScaleStatus?: ScaleInfo[] }
interface OpOcc {
  id: string;
  nsInstanceId: string;
  lcmOperationType: 'INSTANTIATE' | 'TERMINATE' | 'SCALE';
  operationState: OpState;
  error?: { status: number; title: string; detail: string };
  /** For SCALE: the levels it moves to. */
  scaleTo?: ScaleInfo[];
}

/** Scaling aspects and their levels per on-boarded NSD; an instance starts at each aspect's first level. */
const NSD_ASPECTS: Record<string, Record<string, string[]>> = {
  'nsd-vepc': { capacity: ['small', 'medium', 'large'] },
  'nsd-vfw': { throughput: ['1g', '10g'] },
};

export interface FakeNfvo {
  apiRoot: string;
  instances: Map<string, Instance>;
  ops: Map<string, OpOcc>;
  /** Requests received, as "METHOD path" (query stripped). */
  log: string[];
  /** Request bodies received, by "METHOD path". */
  bodies: Array<{ request: string; body: unknown }>;
  /** NSDs on-boarded; creating an instance of another nsdId is refused (400). */
  nsds: Set<string>;
  /** How long an LCM operation stays PROCESSING. */
  operationMs: number;
  /** Outcomes of the next operations (default COMPLETED). */
  nextOutcomes: Array<'FAILED_TEMP' | 'FAILED'>;
  failNext(count: number, status: number): void;
  close(): Promise<void>;
}

const problem = (status: number, title: string, detail: string) => ({ type: 'about:blank', status, title, detail });

export async function startFakeNfvo(): Promise<FakeNfvo> {
  const timers = new Set<NodeJS.Timeout>();
  const failures: number[] = [];
  let seq = 0;
  const nextId = (kind: string) => `${kind}-${(++seq).toString().padStart(4, '0')}`;

  const fake: FakeNfvo = {
    apiRoot: '',
    instances: new Map(),
    ops: new Map(),
    log: [],
    bodies: [],
    nsds: new Set(['nsd-vepc', 'nsd-vfw']),
    operationMs: 50,
    nextOutcomes: [],
    failNext(count, status) {
      for (let i = 0; i < count; i++) failures.push(status);
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const runOperation = (op: OpOcc) => {
    op.operationState = 'PROCESSING';
    delete op.error;
    const outcome = fake.nextOutcomes.shift() ?? 'COMPLETED';
    const timer = setTimeout(() => {
      timers.delete(timer);
      op.operationState = outcome;
      const ns = fake.instances.get(op.nsInstanceId);
      if (outcome === 'COMPLETED' && ns && op.lcmOperationType === 'SCALE') {
        const status = new Map((ns.nsScaleStatus ?? []).map((s) => [s.nsScalingAspectId, s.nsScaleLevelId]));
        for (const s of op.scaleTo ?? []) status.set(s.nsScalingAspectId, s.nsScaleLevelId);
        ns.nsScaleStatus = [...status].map(([nsScalingAspectId, nsScaleLevelId]) => ({ nsScalingAspectId, nsScaleLevelId }));
      } else if (outcome === 'COMPLETED' && ns) {
        ns.nsState = op.lcmOperationType === 'INSTANTIATE' ? 'INSTANTIATED' : 'NOT_INSTANTIATED';
        if (op.lcmOperationType === 'INSTANTIATE') {
          ns.nsScaleStatus = Object.entries(NSD_ASPECTS[ns.nsdId] ?? {}).map(([nsScalingAspectId, levels]) => ({ nsScalingAspectId, nsScaleLevelId: levels[0]! }));
        } else delete ns.nsScaleStatus;
      }
      if (outcome !== 'COMPLETED') op.error = problem(500, 'VNF instantiation failed', outcome === 'FAILED' ? 'VIM rejected the flavour' : 'VIM quota temporarily exceeded');
    }, fake.operationMs);
    timers.add(timer);
  };

  /** SOL013 attribute filter, only the `(eq,attr,value)` form. */
  const matches = (filter: string | null, item: Record<string, unknown>) => {
    if (!filter) return true;
    const m = /^\(eq,([^,]+),(.*)\)$/.exec(filter);
    return m ? String(item[m[1]!]) === m[2] : true;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers });
      res.end(body !== undefined ? JSON.stringify(body) : undefined);
    };
    const url = new URL(req.url ?? '/', 'http://localhost');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
    const path = url.pathname.replace(/^\/osm\/nslcm\/v1\//, '');
    fake.log.push(`${req.method} ${path}`);
    if (body !== undefined) fake.bodies.push({ request: `${req.method} ${path}`, body });
    if (!req.headers.version) return send(400, problem(400, 'Bad Request', 'missing Version header'));
    const failure = failures.shift();
    if (failure) return send(failure, problem(failure, 'Service Unavailable', 'NFVO overloaded'), { 'Retry-After': '0' });

    const parts = path.split('/');
    const base = `${fake.apiRoot}/nslcm/v1`;
    if (req.method === 'GET' && path === 'api_versions') return send(200, { uriPrefix: '/nslcm/v1', apiVersions: [{ version: '1.0.0' }] });
    if (parts[0] === 'ns_instances') {
      const ns = parts[1] ? fake.instances.get(parts[1]) : undefined;
      if (parts[1] && !ns) return send(404, problem(404, 'Not Found', `NS instance ${parts[1]} does not exist`));
      if (req.method === 'GET' && !parts[1]) return send(200, [...fake.instances.values()].filter((i) => matches(url.searchParams.get('filter'), { ...i })));
      if (req.method === 'GET' && ns && !parts[2]) return send(200, ns);
      if (req.method === 'POST' && !parts[1]) {
        if (!fake.nsds.has(body?.nsdId)) return send(400, problem(400, 'Bad Request', `NSD ${body?.nsdId} is not on-boarded`));
        const created: Instance = { id: nextId('ns'), nsInstanceName: body.nsName, nsdId: body.nsdId, nsState: 'NOT_INSTANTIATED' };
        fake.instances.set(created.id, created);
        return send(201, created, { Location: `${base}/ns_instances/${created.id}` });
      }
      if (req.method === 'DELETE' && ns) {
        if (ns.nsState === 'INSTANTIATED') return send(409, problem(409, 'Conflict', `NS instance ${ns.id} is INSTANTIATED`));
        fake.instances.delete(ns.id);
        return send(204);
      }
      if (req.method === 'POST' && ns && (parts[2] === 'instantiate' || parts[2] === 'terminate' || parts[2] === 'scale')) {
        const busy = [...fake.ops.values()].some((o) => o.nsInstanceId === ns.id && o.operationState === 'PROCESSING');
        const wrongState = parts[2] === 'instantiate' ? ns.nsState === 'INSTANTIATED' : ns.nsState === 'NOT_INSTANTIATED';
        if (busy || wrongState) return send(409, problem(409, 'Conflict', `NS instance ${ns.id} is ${busy ? 'busy' : ns.nsState}`));
        if (parts[2] === 'instantiate' && !body?.nsFlavourId) return send(400, problem(400, 'Bad Request', 'nsFlavourId is required'));
        let scaleTo: ScaleInfo[] | undefined;
        if (parts[2] === 'scale') {
          scaleTo = body?.scaleType === 'SCALE_NS' ? body?.scaleNsData?.scaleNsToLevelData?.nsScaleInfo : undefined;
          if (!Array.isArray(scaleTo)) return send(400, problem(400, 'Bad Request', 'only SCALE_NS with scaleNsData.scaleNsToLevelData.nsScaleInfo is supported'));
          const aspects = NSD_ASPECTS[ns.nsdId] ?? {};
          const bad = scaleTo.find((s) => !aspects[s.nsScalingAspectId]?.includes(s.nsScaleLevelId));
          if (bad) return send(400, problem(400, 'Bad Request', `NSD ${ns.nsdId} has no scale level ${bad.nsScaleLevelId} of aspect ${bad.nsScalingAspectId}`));
        }
        const type = parts[2] === 'instantiate' ? 'INSTANTIATE' : parts[2] === 'terminate' ? 'TERMINATE' : 'SCALE';
        const op: OpOcc = { id: nextId('op'), nsInstanceId: ns.id, lcmOperationType: type, operationState: 'PROCESSING', ...(scaleTo ? { scaleTo } : {}) };
        fake.ops.set(op.id, op);
        runOperation(op);
        return send(202, undefined, { Location: `${base}/ns_lcm_op_occs/${op.id}` });
      }
    }
    if (parts[0] === 'ns_lcm_op_occs') {
      if (req.method === 'GET' && !parts[1]) return send(200, [...fake.ops.values()].filter((o) => matches(url.searchParams.get('filter'), { ...o })));
      const op = parts[1] ? fake.ops.get(parts[1]) : undefined;
      if (!op) return send(404, problem(404, 'Not Found', `LCM operation occurrence ${parts[1]} does not exist`));
      if (req.method === 'GET') return send(200, op);
      if (req.method === 'POST' && parts[2] === 'retry') {
        if (op.operationState !== 'FAILED_TEMP') return send(409, problem(409, 'Conflict', `operation ${op.id} is ${op.operationState}`));
        runOperation(op);
        return send(202);
      }
    }
    return send(405, problem(405, 'Method Not Allowed', `${req.method} ${path}`));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(problem(500, 'Internal Server Error', String(e))));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  fake.apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}/osm`;
  return fake;
}
