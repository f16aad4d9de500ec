/**
 * Redaction of decision records before they are stored.
 *
 * Paths use OPA's decision-log mask syntax: a slash-separated path rooted at
 * `/input` or `/result`, e.g. `/input/customer/msisdn`. Array elements are
 * addressed by index (`/input/items/0/iccid`) and `*` matches every element or
 * member at that position (`/input/items/* /iccid`, without the space).
 *
 * Two actions, named after OPA's `erased` / `masked` record fields:
 *  - `erase`: the member is removed and its path is listed in `erased`;
 *  - `mask`:  the value is replaced by a fixed marker and the path is listed in `masked`.
 * Only the concrete paths that existed in the record are listed, so the record
 * states exactly what was hidden. Nothing else is dropped.
 */

export type RedactionAction = 'erase' | 'mask';

export interface RedactionRule {
  path: string;
  action?: RedactionAction; // default 'mask'
}

export const MASK_MARKER = '**REDACTED**';

export interface RedactionOutcome {
  input: unknown;
  result: unknown;
  masked: string[];
  erased: string[];
}

export class RedactionRuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedactionRuleError';
  }
}

interface ParsedRule {
  root: 'input' | 'result';
  segments: string[];
  action: RedactionAction;
}

export function parseRedactionRules(rules: readonly (RedactionRule | string)[]): ParsedRule[] {
  return rules.map((rule) => {
    const { path, action = 'mask' } = typeof rule === 'string' ? { path: rule } : rule;
    if (action !== 'erase' && action !== 'mask') throw new RedactionRuleError(`unknown redaction action "${String(action)}" for ${path}`);
    if (!path.startsWith('/')) throw new RedactionRuleError(`redaction path must start with "/": ${path}`);
    const [root, ...segments] = path.slice(1).split('/').map(unescapeSegment);
    if (root !== 'input' && root !== 'result') {
      throw new RedactionRuleError(`redaction path must be rooted at /input or /result: ${path}`);
    }
    if (segments.length === 0) throw new RedactionRuleError(`redaction path must name a field below /${root}: ${path}`);
    return { root, segments, action };
  });
}

// JSON-pointer escapes so keys containing "/" or "~" can be named.
function unescapeSegment(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function escapeSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Applies rules to deep copies of input and result, so the originals are not
 * touched; with `copy: false` (the caller owns the values) it works in place.
 */
export function redact(input: unknown, result: unknown, rules: readonly ParsedRule[], options: { copy?: boolean } = {}): RedactionOutcome {
  if (rules.length === 0) return { input, result, masked: [], erased: [] };
  const copy = options.copy ?? true;
  const roots = copy ? { input: structuredClone(input), result: structuredClone(result) } : { input, result };
  const masked = new Set<string>();
  const erased = new Set<string>();
  for (const rule of rules) {
    const holder = { value: roots[rule.root] };
    apply(holder, 'value', rule.segments, 0, `/${rule.root}`, rule.action, rule.action === 'mask' ? masked : erased);
    roots[rule.root] = holder.value;
  }
  return { input: roots.input, result: roots.result, masked: [...masked].sort(), erased: [...erased].sort() };
}

function apply(
  parent: Record<string, unknown> | unknown[],
  key: string | number,
  segments: string[],
  depth: number,
  pathSoFar: string,
  action: RedactionAction,
  hits: Set<string>,
): void {
  const container = (parent as Record<string | number, unknown>)[key];
  if (container === null || typeof container !== 'object') return;
  const segment = segments[depth]!;
  const last = depth === segments.length - 1;
  const childKeys: (string | number)[] = Array.isArray(container)
    ? segment === '*'
      ? container.map((_, i) => i)
      : /^\d+$/.test(segment) && Number(segment) < container.length
        ? [Number(segment)]
        : []
    : segment === '*'
      ? Object.keys(container)
      : Object.prototype.hasOwnProperty.call(container, segment)
        ? [segment]
        : [];
  // Erase array elements from the end so earlier indexes stay valid.
  const ordered = Array.isArray(container) ? [...childKeys].reverse() : childKeys;
  for (const childKey of ordered) {
    const childPath = `${pathSoFar}/${escapeSegment(String(childKey))}`;
    if (!last) {
      apply(container as Record<string, unknown>, childKey, segments, depth + 1, childPath, action, hits);
      continue;
    }
    hits.add(childPath);
    if (action === 'mask') {
      (container as Record<string | number, unknown>)[childKey] = MASK_MARKER;
    } else if (Array.isArray(container)) {
      container.splice(childKey as number, 1);
    } else {
      delete (container as Record<string, unknown>)[childKey as string];
    }
  }
}
