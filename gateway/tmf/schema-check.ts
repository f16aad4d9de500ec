/**
 * Validates bodies against the TMF swagger definitions in ../shared/tmf (used by tests to check
 * that what the API returns is what the specifications describe).
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';

export const TMF_SPEC_DIR = new URL('../../../shared/tmf/', import.meta.url).pathname;

export const TMF_SPECS = {
  tmf641: 'TMF641-ServiceOrdering-v4.1.0.swagger.json',
  tmf638: 'TMF638-ServiceInventory-v4.0.0.swagger.json',
  tmf639: 'TMF639-ResourceInventory-v4.0.0.swagger.json',
} as const;

export interface TmfSchemaCheck {
  /** Error text per violation; empty when the value is valid. */
  errors(spec: keyof typeof TMF_SPECS, definition: string, value: unknown): string[];
}

export function tmfSchemaCheck(dir: string = TMF_SPEC_DIR): TmfSchemaCheck {
  const ajv = new Ajv({ strict: false, allErrors: true });
  const addFormats = (addFormatsModule as unknown as { default?: (a: Ajv) => void }).default ?? (addFormatsModule as unknown as (a: Ajv) => void);
  addFormats(ajv);
  for (const [key, file] of Object.entries(TMF_SPECS)) {
    const doc = JSON.parse(readFileSync(`${dir}${file}`, 'utf8')) as { definitions: Record<string, unknown> };
    ajv.addSchema({ $id: key, definitions: doc.definitions });
  }
  return {
    errors(spec, definition, value) {
      const validate = ajv.getSchema(`${spec}#/definitions/${definition}`);
      if (!validate) throw new Error(`${spec} has no definition ${definition}`);
      if (validate(value)) return [];
      return (validate.errors ?? []).map((e) => `${definition}${e.instancePath} ${e.message ?? ''}`.trim());
    },
  };
}
