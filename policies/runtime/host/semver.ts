// semver.is_valid and semver.compare (Semantic Versioning 2.0.0, no leading "v"), following
// the go-semver package OPA vendors: MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD], build ignored
// when comparing.
import { builtinError, operandTypeError } from './errors.js';

interface Version { major: bigint; minor: bigint; patch: bigint; pre: string[] }

const IDENT = /^[0-9A-Za-z-]+$/;

export function parseSemver(s: string): Version | undefined {
  let rest = s;
  const plus = rest.indexOf('+');
  if (plus >= 0) {
    const build = rest.slice(plus + 1);
    if (!build.split('.').every((p) => IDENT.test(p))) return undefined;
    rest = rest.slice(0, plus);
  }
  let pre: string[] = [];
  const dash = rest.indexOf('-');
  if (dash >= 0) {
    pre = rest.slice(dash + 1).split('.');
    if (!pre.every((p) => IDENT.test(p))) return undefined;
    rest = rest.slice(0, dash);
  }
  const parts = rest.split('.');
  if (parts.length !== 3 || !parts.every((p) => /^\d+$/.test(p))) return undefined;
  return { major: BigInt(parts[0]!), minor: BigInt(parts[1]!), patch: BigInt(parts[2]!), pre };
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparePre(a: string[], b: string[]): number {
  // A version without prerelease ranks above any prerelease of it.
  if (a.length === 0 || b.length === 0) return b.length - a.length === 0 ? 0 : a.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    let c: number;
    if (xn && yn) c = cmp(BigInt(x), BigInt(y));
    else if (xn) c = -1;
    else if (yn) c = 1;
    else c = x < y ? -1 : x > y ? 1 : 0;
    if (c !== 0) return c;
  }
  return Math.sign(a.length - b.length);
}

export function semverIsValid(v: unknown): boolean {
  return typeof v === 'string' && parseSemver(v) !== undefined;
}

export function semverCompare(a: unknown, b: unknown): number {
  const name = 'semver.compare';
  if (typeof a !== 'string') throw operandTypeError(name, 1, a, 'string');
  if (typeof b !== 'string') throw operandTypeError(name, 2, b, 'string');
  const x = parseSemver(a);
  if (!x) throw builtinError(name, `operand 1: string ${a} is not a valid SemVer`);
  const y = parseSemver(b);
  if (!y) throw builtinError(name, `operand 2: string ${b} is not a valid SemVer`);
  return cmp(x.major, y.major) || cmp(x.minor, y.minor) || cmp(x.patch, y.patch) || comparePre(x.pre, y.pre);
}
