/**
 * Junction's configuration: one zod-validated object built from environment variables.
 *
 * `loadConfig(env)` is pure (no I/O, no process.env access) so tests can feed it any
 * environment. A bad value raises `ConfigError` whose message is ONE line naming every
 * offending variable and what was expected; `platform/main.ts` prints it and exits non-zero.
 */
import { z } from 'zod';

export const ROLES = ['bss', 'compliance', 'auditor', 'operator', 'network'] as const;
export type Role = (typeof ROLES)[number];

export const PROCESS_ROLES = ['gateway', 'orchestrator'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** One entry of JUNCTION_API_KEYS. */
export const apiKeySchema = z.object({
  key: z.string().min(16, 'key must be at least 16 characters'),
  principal: z.string().min(1),
  roles: z.array(z.enum(ROLES)).min(1),
  tenant: z.string().min(1).optional(),
});
export type ApiKey = z.infer<typeof apiKeySchema>;

/**
 * Namespace rules: it becomes the first token of every subject and the prefix of stream,
 * consumer and bucket names (which NATS forbids to contain `.`, `*`, `>`, whitespace). `_` is
 * kept out because it separates the namespace from the rest of a name: then no namespace's names
 * start with another namespace's prefix (`a_` never prefixes `a-b_orders`).
 */
const NAMESPACE_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const port = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return 8080;
      const n = /^\d+$/.test(v) ? Number(v) : NaN;
      if (!Number.isInteger(n) || n < 1 || n > 65535) {
        ctx.addIssue({ code: 'custom', message: `expected an integer port 1-65535, got ${JSON.stringify(v)}` });
        return z.NEVER;
      }
      return n;
    }),
);

/** Unset: undefined (the consumer's default); else a whole number from 0. */
const wholeNumber = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      if (!/^\d+$/.test(v)) {
        ctx.addIssue({ code: 'custom', message: `expected a whole number (0 or more), got ${JSON.stringify(v)}` });
        return z.NEVER;
      }
      return Number(v);
    }),
);

const positiveMillis = (fallback: number) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined) return fallback;
        const n = /^\d+$/.test(v) ? Number(v) : NaN;
        if (!Number.isInteger(n) || n <= 0) {
          ctx.addIssue({ code: 'custom', message: `expected a positive integer of milliseconds, got ${JSON.stringify(v)}` });
          return z.NEVER;
        }
        return n;
      }),
  );

const url = (protocols: string[], example: string) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .optional()
      .refine(
        (v) => {
          if (v === undefined) return true;
          try {
            return protocols.includes(new URL(v).protocol);
          } catch {
            return false;
          }
        },
        { message: `expected a URL like ${example}` },
      ),
  );

const apiKeys = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .optional()
    .transform((v, ctx): ApiKey[] => {
      if (v === undefined) return [];
      let parsed: unknown;
      try {
        parsed = JSON.parse(v);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'expected a JSON array of {"key","principal","roles":[...],"tenant"?}, got invalid JSON' });
        return z.NEVER;
      }
      const result = z.array(apiKeySchema).safeParse(parsed);
      if (!result.success) {
        const issue = result.error.issues[0]!;
        const where = issue.path.length ? `[${issue.path.join('.')}] ` : '';
        ctx.addIssue({
          code: 'custom',
          message: `expected a JSON array of {"key","principal","roles":[${ROLES.join('|')}],"tenant"?}: ${where}${issue.message}`,
        });
        return z.NEVER;
      }
      const seen = new Set<string>();
      for (const k of result.data) {
        if (seen.has(k.key)) {
          ctx.addIssue({ code: 'custom', message: `duplicate key for principal ${JSON.stringify(k.principal)}` });
          return z.NEVER;
        }
        seen.add(k.key);
      }
      return result.data;
    }),
);

const processRoles = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .optional()
    .transform((v, ctx): ProcessRole[] => {
      if (v === undefined) return [...PROCESS_ROLES];
      const parts = v.split(',').map((s) => s.trim()).filter(Boolean);
      const bad = parts.filter((p) => !(PROCESS_ROLES as readonly string[]).includes(p));
      if (parts.length === 0 || bad.length > 0) {
        ctx.addIssue({ code: 'custom', message: `expected a comma-separated list of ${PROCESS_ROLES.join(', ')}, got ${JSON.stringify(v)}` });
        return z.NEVER;
      }
      return [...new Set(parts)] as ProcessRole[];
    }),
);

/** `true`/`false` (also 1/0, yes/no). */
const flag = (fallback: boolean) =>
  z.preprocess(
    emptyToUndefined,
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
      .optional()
      .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes'].includes(v))),
  );

/** Comma-separated host names; `.example.com` matches its subdomains. */
const hostList = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const hosts = (v ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
      const bad = hosts.find((h) => !/^\.?[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(h));
      if (bad) {
        ctx.addIssue({ code: 'custom', message: `expected comma-separated host names, got ${JSON.stringify(bad)}` });
        return z.NEVER;
      }
      return hosts;
    }),
);

const envSchema = z.object({
  DATABASE_URL: url(['postgres:', 'postgresql:'], 'postgres://user@host:5432/db'),
  DATABASE_PREPARED_STATEMENTS: flag(true),
  NATS_URL: url(['nats:', 'tls:'], 'nats://127.0.0.1:4222'),
  PORT: port,
  HOST: z.preprocess(emptyToUndefined, z.string().default('0.0.0.0')),
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(LOG_LEVELS, { message: `expected one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  ),
  JUNCTION_NAMESPACE: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(NAMESPACE_PATTERN, 'expected 1-32 characters of a-z, 0-9 or -, starting with a letter')
      .default('junction'),
  ),
  JUNCTION_API_KEYS: apiKeys,
  JUNCTION_ROLES: processRoles,
  JUNCTION_DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./.data')),
  JUNCTION_SHUTDOWN_TIMEOUT_MS: positiveMillis(15_000),
  JUNCTION_POLICY_WORKERS: wholeNumber,
  JUNCTION_AUDIT_KEY_FILE: z.preprocess(emptyToUndefined, z.string().optional()),
  JUNCTION_AUDIT_REDACT: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .optional()
      .transform((v) => (v === undefined ? [] : v.split(',').map((p) => p.trim()).filter(Boolean))),
  ),
  JUNCTION_AUDIT_CHECKPOINT_MS: positiveMillis(10_000),
  // TLS for the HTTP listener (gateway/hardening/tls.ts reads the files when it listens).
  JUNCTION_TLS_CERT_FILE: z.preprocess(emptyToUndefined, z.string().optional()),
  JUNCTION_TLS_KEY_FILE: z.preprocess(emptyToUndefined, z.string().optional()),
  JUNCTION_TLS_CLIENT_CA_FILE: z.preprocess(emptyToUndefined, z.string().optional()),
  // Which webhook callbacks the hub may call (gateway/hardening/webhooks.ts): https to public
  // addresses unless these say otherwise.
  JUNCTION_WEBHOOK_ALLOW_PRIVATE: flag(false),
  JUNCTION_WEBHOOK_ALLOW_HTTP: flag(false),
  JUNCTION_WEBHOOK_ALLOW_HOSTS: hostList,
  JUNCTION_WEBHOOK_DENY_HOSTS: hostList,
}).superRefine((e, ctx) => {
  // A certificate without its key (or the reverse) is a half-done TLS set-up, not plain HTTP.
  if (e.JUNCTION_TLS_CERT_FILE !== undefined && e.JUNCTION_TLS_KEY_FILE === undefined) {
    ctx.addIssue({ code: 'custom', path: ['JUNCTION_TLS_KEY_FILE'], message: 'required when JUNCTION_TLS_CERT_FILE is set' });
  }
  if (e.JUNCTION_TLS_KEY_FILE !== undefined && e.JUNCTION_TLS_CERT_FILE === undefined) {
    ctx.addIssue({ code: 'custom', path: ['JUNCTION_TLS_CERT_FILE'], message: 'required when JUNCTION_TLS_KEY_FILE is set' });
  }
  if (e.JUNCTION_TLS_CLIENT_CA_FILE !== undefined && e.JUNCTION_TLS_CERT_FILE === undefined) {
    ctx.addIssue({ code: 'custom', path: ['JUNCTION_TLS_CLIENT_CA_FILE'], message: 'client certificates need TLS: set JUNCTION_TLS_CERT_FILE and JUNCTION_TLS_KEY_FILE too' });
  }
});

export interface Config {
  /** Unset means: local Postgres on localhost:5432 (database `junction`), else embedded pglite. */
  databaseUrl: string | undefined;
  /** Prepare statements run again and again (off behind a pooler that cannot carry them). */
  databasePreparedStatements: boolean;
  /** Unset means: nats://127.0.0.1:4222, else a nats-server started from PATH. */
  natsUrl: string | undefined;
  port: number;
  host: string;
  logLevel: (typeof LOG_LEVELS)[number];
  namespace: string;
  apiKeys: ApiKey[];
  processRoles: ProcessRole[];
  dataDir: string;
  shutdownTimeoutMs: number;
  /** Policy evaluation threads of the orchestrator's engine; undefined or 0: on the event loop. */
  policyWorkers: number | undefined;
  audit: {
    /** Ed25519 checkpoint signing key (PEM); unset: `<dataDir>/audit-signing-key.pem`, created on first start. */
    keyFile: string | undefined;
    /** Input/result paths masked before a decision is stored, e.g. `input.customer.name`. */
    redact: string[];
    /** How often a signed checkpoint is cut. */
    checkpointIntervalMs: number;
  };
  /** HTTPS instead of HTTP when set (PEM files); `clientCaFile` also demands client certificates signed by that CA. */
  tls: TlsFiles | undefined;
  /** Webhook callbacks the hub may call. */
  webhooks: { allowPrivate: boolean; allowHttp: boolean; allowHosts: string[]; denyHosts: string[] };
}

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  clientCaFile?: string;
}

export class ConfigError extends Error {
  constructor(
    message: string,
    /** The environment variables that were rejected. */
    readonly variables: string[],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Build the configuration from an environment; throws ConfigError (one-line message) on bad values. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const byVariable = new Map<string, string>();
    for (const issue of result.error.issues) {
      const variable = String(issue.path[0] ?? 'environment');
      if (!byVariable.has(variable)) byVariable.set(variable, issue.message);
    }
    const parts = [...byVariable].map(([variable, message]) => `${variable}: ${message}`);
    throw new ConfigError(`Invalid configuration: ${parts.join('; ')}`, [...byVariable.keys()]);
  }
  const e = result.data;
  return {
    databaseUrl: e.DATABASE_URL,
    databasePreparedStatements: e.DATABASE_PREPARED_STATEMENTS,
    natsUrl: e.NATS_URL,
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    namespace: e.JUNCTION_NAMESPACE,
    apiKeys: e.JUNCTION_API_KEYS,
    processRoles: e.JUNCTION_ROLES,
    dataDir: e.JUNCTION_DATA_DIR,
    shutdownTimeoutMs: e.JUNCTION_SHUTDOWN_TIMEOUT_MS,
    policyWorkers: e.JUNCTION_POLICY_WORKERS,
    audit: {
      keyFile: e.JUNCTION_AUDIT_KEY_FILE,
      redact: e.JUNCTION_AUDIT_REDACT,
      checkpointIntervalMs: e.JUNCTION_AUDIT_CHECKPOINT_MS,
    },
    tls:
      e.JUNCTION_TLS_CERT_FILE && e.JUNCTION_TLS_KEY_FILE
        ? { certFile: e.JUNCTION_TLS_CERT_FILE, keyFile: e.JUNCTION_TLS_KEY_FILE, ...(e.JUNCTION_TLS_CLIENT_CA_FILE ? { clientCaFile: e.JUNCTION_TLS_CLIENT_CA_FILE } : {}) }
        : undefined,
    webhooks: {
      allowPrivate: e.JUNCTION_WEBHOOK_ALLOW_PRIVATE,
      allowHttp: e.JUNCTION_WEBHOOK_ALLOW_HTTP,
      allowHosts: e.JUNCTION_WEBHOOK_ALLOW_HOSTS,
      denyHosts: e.JUNCTION_WEBHOOK_DENY_HOSTS,
    },
  };
}
