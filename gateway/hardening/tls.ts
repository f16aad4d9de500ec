// TLS for the HTTP listener: JUNCTION_TLS_CERT_FILE and JUNCTION_TLS_KEY_FILE (PEM, validated as a
// pair in platform/config.ts) switch the gateway to HTTPS, TLS 1.2 minimum;
// JUNCTION_TLS_CLIENT_CA_FILE also demands a client certificate signed by that CA (mutual TLS).
// platform/runtime.ts `listen()` spreads these options into @hono/node-server's serve().
import { readFileSync } from 'node:fs';
import { createServer, type ServerOptions } from 'node:https';
import type { TlsFiles } from '../../platform/config.js';

export interface TlsServe {
  createServer: typeof createServer;
  serverOptions: ServerOptions;
}

function read(variable: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    // Start-up stops here with the variable named, not at the first handshake.
    throw new Error(`${variable}: cannot read ${file}: ${(err as Error).message}`);
  }
}

/** Options for serve(); undefined when TLS is not configured (plain HTTP). */
export function tlsServeOptions(tls: TlsFiles | undefined): TlsServe | undefined {
  if (!tls) return undefined;
  const serverOptions: ServerOptions = {
    cert: read('JUNCTION_TLS_CERT_FILE', tls.certFile),
    key: read('JUNCTION_TLS_KEY_FILE', tls.keyFile),
    minVersion: 'TLSv1.2',
  };
  if (tls.clientCaFile) {
    serverOptions.ca = read('JUNCTION_TLS_CLIENT_CA_FILE', tls.clientCaFile);
    serverOptions.requestCert = true;
    serverOptions.rejectUnauthorized = true;
  }
  return { createServer, serverOptions };
}
