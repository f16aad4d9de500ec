// TLS for the HTTP listener: JUNCTION_TLS_CERT_FILE and JUNCTION_TLS_KEY_FILE (PEM) switch the
// gateway to HTTPS (TLS 1.2 minimum). Both or neither: one alone is a configuration error.
import { readFileSync } from 'node:fs';
import { createServer, type ServerOptions } from 'node:https';

export interface TlsServe {
  createServer: typeof createServer;
  serverOptions: ServerOptions;
}

/** Options to spread into @hono/node-server's serve(); undefined when TLS is not configured. */
export function tlsServeOptions(env: Record<string, string | undefined>): TlsServe | undefined {
  const certFile = env.JUNCTION_TLS_CERT_FILE?.trim();
  const keyFile = env.JUNCTION_TLS_KEY_FILE?.trim();
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) throw new Error('TLS needs both JUNCTION_TLS_CERT_FILE and JUNCTION_TLS_KEY_FILE');
  const read = (name: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new Error(`${name}: cannot read ${file}: ${(err as Error).message}`);
    }
  };
  return {
    createServer,
    serverOptions: { cert: read('JUNCTION_TLS_CERT_FILE', certFile), key: read('JUNCTION_TLS_KEY_FILE', keyFile), minVersion: 'TLSv1.2' },
  };
}
