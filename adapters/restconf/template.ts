/**
 * `{{placeholder}}` rendering for RESTCONF paths and payloads that come from the catalog.
 * Names: `target.id`, `target.type`, `domain`, `parameters.<name>[.<nested>]`.
 * A JSON string that is exactly one placeholder becomes the value with its JSON type; inside a
 * longer string the value is interpolated (and percent-encoded when rendering a path, as RFC 8040
 * §3.5.3 requires for list keys). An unknown placeholder is an error, never an empty string.
 */
export class TemplateError extends Error {
  override name = 'TemplateError';
}

export interface TemplateContext {
  target: { id: string; type: string };
  domain: string;
  parameters: Record<string, unknown>;
}

const WHOLE = /^\{\{\s*([\w.-]+)\s*\}\}$/;
const ANY = /\{\{\s*([\w.-]+)\s*\}\}/g;

function lookup(name: string, context: TemplateContext): unknown {
  let value: unknown = context;
  for (const part of name.split('.')) {
    if (value === null || typeof value !== 'object' || !(part in (value as object))) {
      throw new TemplateError(`template placeholder {{${name}}} has no value (parameters: ${Object.keys(context.parameters).join(', ') || 'none'})`);
    }
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function scalar(name: string, value: unknown): string {
  if (value !== null && typeof value === 'object') throw new TemplateError(`placeholder {{${name}}} is an object and cannot be interpolated into a string`);
  return String(value);
}

export function renderPath(path: string, context: TemplateContext): string {
  return path.replace(ANY, (_, name: string) => encodeURIComponent(scalar(name, lookup(name, context))));
}

export function renderPayload(template: unknown, context: TemplateContext): unknown {
  if (typeof template === 'string') {
    const whole = WHOLE.exec(template);
    if (whole) return lookup(whole[1]!, context);
    return template.replace(ANY, (_, name: string) => scalar(name, lookup(name, context)));
  }
  if (Array.isArray(template)) return template.map((t) => renderPayload(t, context));
  if (template !== null && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, renderPayload(v, context)]));
  }
  return template;
}

/** Leaves of `expected` that `actual` lacks or holds differently (scalars compared as strings: YANG JSON encodes 64-bit numbers as strings). */
export function subsetDifferences(expected: unknown, actual: unknown, path = ''): Array<{ field: string; expected: unknown; actual: unknown }> {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    const a = actual !== null && typeof actual === 'object' && !Array.isArray(actual) ? (actual as Record<string, unknown>) : {};
    return Object.entries(expected).flatMap(([k, v]) => subsetDifferences(v, a[k], path ? `${path}/${k}` : k));
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length < expected.length) return [{ field: path, expected, actual }];
    return expected.flatMap((e, i) => subsetDifferences(e, actual[i], `${path}[${i}]`));
  }
  return String(expected) === String(actual) && actual !== undefined ? [] : [{ field: path, expected, actual }];
}
