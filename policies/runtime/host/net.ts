// net.cidr_contains, cidr_intersects, cidr_is_valid, cidr_expand, cidr_merge with Go's
// net.ParseIP/ParseCIDR rules (dotted-quad IPv4 without leading zeros, RFC 4291 IPv6, no
// zones). Addresses are bigints; an IPv4 address inside IPv6 (::ffff:a.b.c.d) is IPv4, as in Go.
import { builtinError, elementTypeError, operandTypeError } from './errors.js';
import { setResult } from './values.js';

interface Addr { bits: 32 | 128; value: bigint }
interface Net { bits: 32 | 128; first: bigint; last: bigint }

function parseIPv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseIPv6(s: string): bigint | undefined {
  let tail4: bigint | undefined;
  let text = s;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    tail4 = parseIPv4(text.slice(lastColon + 1));
    if (tail4 === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): string[] | undefined => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const all = [...head, ...tail];
  if (all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  if (halves.length === 1 ? all.length !== 8 : all.length > 7) return undefined;
  const fill = 8 - all.length;
  const words = [...head, ...Array<string>(fill).fill('0'), ...tail];
  let v = 0n;
  for (const w of words) v = (v << 16n) | BigInt(parseInt(w, 16));
  if (tail4 !== undefined) v = (v & ~0xffffffffn) | tail4;
  return v;
}

const V4_MAPPED_PREFIX = 0xffffn << 32n;

export function parseIP(s: string): Addr | undefined {
  const v4 = parseIPv4(s);
  if (v4 !== undefined) return { bits: 32, value: v4 };
  const v6 = parseIPv6(s);
  if (v6 === undefined) return undefined;
  // IPv4-mapped addresses behave as IPv4 (Go's To4).
  if (v6 >> 32n === 0xffffn) return { bits: 32, value: v6 - V4_MAPPED_PREFIX };
  return { bits: 128, value: v6 };
}

export function parseCIDR(s: string): Net | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const addrText = s.slice(0, slash);
  const lenText = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText) || (lenText.length > 1 && lenText[0] === '0')) return undefined;
  const v4 = parseIPv4(addrText);
  let addr: Addr | undefined;
  let prefix = Number(lenText);
  if (v4 !== undefined) addr = { bits: 32, value: v4 };
  else {
    const v6 = parseIPv6(addrText);
    if (v6 === undefined) return undefined;
    addr = { bits: 128, value: v6 };
  }
  if (prefix > addr.bits) return undefined;
  // An IPv4-mapped IPv6 network with a prefix of at least 96 is an IPv4 network in Go.
  if (addr.bits === 128 && addr.value >> 32n === 0xffffn && prefix >= 96) {
    addr = { bits: 32, value: addr.value - V4_MAPPED_PREFIX };
    prefix -= 96;
  }
  const hostBits = BigInt(addr.bits - prefix);
  const hostMask = (1n << hostBits) - 1n;
  const first = addr.value & ~hostMask;
  return { bits: addr.bits, first, last: first | hostMask };
}

function contains(n: Net, a: Addr): boolean {
  return n.bits === a.bits && a.value >= n.first && a.value <= n.last;
}

function netOperand(name: string, v: unknown, pos: number): Net {
  if (typeof v !== 'string') throw operandTypeError(name, pos, v, 'string');
  const n = parseCIDR(v);
  if (!n) throw builtinError(name, `invalid CIDR address: ${v}`);
  return n;
}

export function cidrContains(cidr: unknown, cidrOrIp: unknown): boolean {
  const name = 'net.cidr_contains';
  const outer = netOperand(name, cidr, 1);
  if (typeof cidrOrIp !== 'string') throw operandTypeError(name, 2, cidrOrIp, 'string');
  const ip = parseIP(cidrOrIp);
  if (ip) return contains(outer, ip);
  const inner = parseCIDR(cidrOrIp);
  if (!inner) throw builtinError(name, `not a valid textual representation of an IP address or CIDR: ${cidrOrIp}`);
  return contains(outer, { bits: inner.bits, value: inner.first }) && contains(outer, { bits: inner.bits, value: inner.last });
}

export function cidrIntersects(a: unknown, b: unknown): boolean {
  const name = 'net.cidr_intersects';
  const x = netOperand(name, a, 1);
  const y = netOperand(name, b, 2);
  return contains(x, { bits: y.bits, value: y.first }) || contains(y, { bits: x.bits, value: x.first });
}

export function cidrIsValid(v: unknown): boolean {
  return typeof v === 'string' && parseCIDR(v) !== undefined;
}

/** Go's IP.String(): dotted quad, or RFC 5952 IPv6 (lowercase, longest zero run as "::"). */
export function formatIP(bits: 32 | 128, v: bigint): string {
  if (bits === 32) return [24n, 16n, 8n, 0n].map((sh) => String((v >> sh) & 0xffn)).join('.');
  const words = Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(112 - 16 * i)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}

/** At most this many addresses from net.cidr_expand (a /8 would be 16 million strings). */
export const CIDR_EXPAND_LIMIT = 1 << 16;

export function cidrExpand(cidr: unknown): Record<string, unknown[]> {
  const name = 'net.cidr_expand';
  const n = netOperand(name, cidr, 1);
  const size = n.last - n.first + 1n;
  if (size > BigInt(CIDR_EXPAND_LIMIT)) {
    throw builtinError(name, `${cidr as string} has ${size} addresses; at most ${CIDR_EXPAND_LIMIT} can be expanded`);
  }
  const out: string[] = [];
  for (let a = n.first; a <= n.last; a++) out.push(formatIP(n.bits, a));
  return setResult(out);
}

/** Go's IP.DefaultMask: the classful prefix of an IPv4 address (OPA merges bare IPs with it). */
function defaultPrefix(v: bigint): number {
  const first = Number(v >> 24n);
  if (first < 0x80) return 8;
  if (first < 0xc0) return 16;
  return 24;
}

function mergeOperand(name: string, x: unknown): Net {
  if (typeof x !== 'string') throw elementTypeError(name, 1, 'array', 'string', x);
  const ip = parseIP(x);
  if (ip) {
    if (ip.bits === 128) throw builtinError(name, 'IPv6 invalid: needs prefix length');
    const hostMask = (1n << BigInt(32 - defaultPrefix(ip.value))) - 1n;
    return { bits: 32, first: ip.value & ~hostMask, last: ip.value | hostMask };
  }
  const n = parseCIDR(x);
  if (!n) throw builtinError(name, `invalid CIDR address: ${x}`);
  return n;
}

/** The fewest CIDR blocks covering [first, last] exactly. */
function rangeToCIDRs(bits: 32 | 128, first: bigint, last: bigint): string[] {
  const out: string[] = [];
  let cur = first;
  while (cur <= last) {
    let size = BigInt(bits);
    // Grow the block while it stays aligned and inside the range.
    while (size > 0n) {
      const next = size - 1n;
      const blockMask = (1n << (BigInt(bits) - next)) - 1n;
      if ((cur & blockMask) !== 0n || (cur | blockMask) > last) break;
      size = next;
    }
    out.push(`${formatIP(bits, cur)}/${size}`);
    cur = (cur | ((1n << (BigInt(bits) - size)) - 1n)) + 1n;
  }
  return out;
}

export function cidrMerge(addrs: unknown): Record<string, unknown[]> {
  const name = 'net.cidr_merge';
  if (!Array.isArray(addrs)) throw operandTypeError(name, 1, addrs, 'array', 'set');
  const out: string[] = [];
  for (const bits of [32, 128] as const) {
    const nets = addrs.map((a) => mergeOperand(name, a)).filter((n) => n.bits === bits);
    nets.sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
    let cur: Net | undefined;
    for (const n of nets) {
      if (cur && n.first <= cur.last + 1n) {
        if (n.last > cur.last) cur = { ...cur, last: n.last };
      } else {
        if (cur) out.push(...rangeToCIDRs(bits, cur.first, cur.last));
        cur = { ...n };
      }
    }
    if (cur) out.push(...rangeToCIDRs(bits, cur.first, cur.last));
  }
  return setResult(out);
}
