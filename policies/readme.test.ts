import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { supportedBuiltinNames } from './compiler/wasm/builtin-registry.js';

describe('policies/README.md', () => {
  it('lists exactly the built-ins the code generator supports', () => {
    const readme = readFileSync(resolve(import.meta.dirname, 'README.md'), 'utf8');
    const section = /<!-- builtins:start -->\n([\s\S]*?)\n<!-- builtins:end -->/.exec(readme);
    expect(section, 'README lacks the builtins:start/end markers').not.toBeNull();
    const listed = [...section![1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    expect(listed).toEqual(supportedBuiltinNames());
  });
});
