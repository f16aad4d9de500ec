// Gateway-wide body limits: size (by Content-Length and by counting what actually arrives),
// JSON nesting depth and prototype-pollution keys. The checked body is left in Hono's body cache,
// so routes read it with c.req.json() / c.req.arrayBuffer() as usual.
import type { MiddlewareHandler } from 'hono';
import type { GatewayEnv } from '../context.js';
import { jsonError } from '../errors.js';
import { parseSafeJson, UnsafeJsonError } from './safe-json.js';

export interface BodyLimits {
  /** JSON bodies (default 1 MiB). */
  maxJsonBytes: number;
  /** Other bodies, e.g. policy bundles (default 8 MiB). */
  maxOtherBytes: number;
  /** JSON nesting (default 32). */
  maxJsonDepth: number;
}

export const DEFAULT_BODY_LIMITS: BodyLimits = { maxJsonBytes: 1024 * 1024, maxOtherBytes: 8 * 1024 * 1024, maxJsonDepth: 32 };

class TooLarge extends Error {}

// Hono keeps read bodies as promises keyed by reader (text, arrayBuffer, ...); its type says otherwise.
const cache = (bodyCache: object) => bodyCache as Record<string, Promise<unknown>>;

async function readCapped(body: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array> {
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw new TooLarge();
    }
    parts.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

const isJson = (contentType: string | undefined) => !contentType || /^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType) || /^text\/plain\b/i.test(contentType);

export function bodyLimits(limits: Partial<BodyLimits> = {}): MiddlewareHandler<GatewayEnv> {
  const l = { ...DEFAULT_BODY_LIMITS, ...limits };
  return async (c, next) => {
    const raw = c.req.raw;
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const contentType = c.req.header('content-type');
    const json = isJson(contentType);
    const max = json ? l.maxJsonBytes : l.maxOtherBytes;
    const declared = c.req.header('content-length');
    if (declared !== undefined && (!/^\d+$/.test(declared) || Number(declared) > max)) {
      return jsonError(c, 413, 'payload_too_large', `the body may be at most ${max} bytes`);
    }
    let bytes: Uint8Array;
    try {
      // With a declared length (checked above) Node's parser delivers no more than that, so the
      // body is read whole (on Node without a web stream in between); otherwise it is counted as it arrives.
      if (declared !== undefined) bytes = new Uint8Array(await raw.arrayBuffer());
      else if (!raw.body) return next();
      else bytes = await readCapped(raw.body, max);
    } catch (err) {
      if (err instanceof TooLarge) return jsonError(c, 413, 'payload_too_large', `the body may be at most ${max} bytes`);
      return jsonError(c, 400, 'bad_request', 'the body could not be read');
    }
    if (json) {
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        return jsonError(c, 400, 'invalid_body', 'the body is not valid UTF-8');
      }
      if (text.trim() !== '') {
        try {
          // Routes read this value with c.req.json() instead of parsing the text again.
          cache(c.req.bodyCache).json = Promise.resolve(parseSafeJson(text, l.maxJsonDepth));
        } catch (err) {
          if (err instanceof UnsafeJsonError) return jsonError(c, 400, 'invalid_body', err.message);
          throw err;
        }
      }
      cache(c.req.bodyCache).text = Promise.resolve(text);
    } else {
      cache(c.req.bodyCache).arrayBuffer = Promise.resolve(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    }
    await next();
  };
}
