/**
 * Resolves the catalog's parameter templates against an order item's context. Kept tiny on
 * purpose: decomposition rules are data, and these three forms cover them:
 *   "{{a.b}}"                         the value at a.b (type kept); inside a longer string, interpolated
 *   {"$lookup": "a.b", "table": {...}} table[String(value at a.b)]
 *   {"$ceilDiv": ["a.b", 20]}         ceil(value at a.b / 20)
 */
export class TemplateError extends Error {
  override name = 'TemplateError';
}

function at(context: unknown, path: string): unknown {
  let v: unknown = context;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

function required(context: unknown, path: string): unknown {
  const v = at(context, path);
  if (v === undefined) throw new TemplateError(`template refers to ${path}, which is not set`);
  return v;
}

const WHOLE = /^\{\{\s*([\w.-]+)\s*\}\}$/;
const PART = /\{\{\s*([\w.-]+)\s*\}\}/g;

export function resolveTemplate(template: unknown, context: unknown): unknown {
  if (typeof template === 'string') {
    const whole = WHOLE.exec(template);
    if (whole) return required(context, whole[1]!);
    return template.replace(PART, (_m, p: string) => String(required(context, p)));
  }
  if (Array.isArray(template)) return template.map((t) => resolveTemplate(t, context));
  if (template !== null && typeof template === 'object') {
    const obj = template as Record<string, unknown>;
    if ('$lookup' in obj) {
      const key = String(required(context, String(obj.$lookup)));
      const table = obj.table as Record<string, unknown> | undefined;
      if (!table || !(key in table)) throw new TemplateError(`no entry for ${key} in the $lookup of ${String(obj.$lookup)}`);
      return table[key];
    }
    if ('$ceilDiv' in obj) {
      const [path, divisor] = obj.$ceilDiv as [string, number];
      const n = Number(required(context, path));
      return Math.ceil(n / divisor);
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, resolveTemplate(v, context)]));
  }
  return template;
}
