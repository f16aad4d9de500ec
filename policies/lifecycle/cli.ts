// `junction bundle keygen|pack|upload`: compliance's side of the lifecycle. `pack` bundles a
// policy directory (Rego, *_test.rego, data.json) and signs it with the compliance key; `upload`
// sends it to POST /policy/v1/bundles with its signature.
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { SIGNATURE_HEADER } from './routes.js';
import { generateComplianceKey, parsePrivateKey, signBundle } from './signing.js';
import { packSourceBundle } from './source-bundle.js';

export const BUNDLE_USAGE = `usage: junction bundle keygen --out <prefix>        writes <prefix>.key (private) and <prefix>.pub
       junction bundle pack <policy-dir> --key <private.pem> --out <bundle.tar.gz>   writes the bundle and <bundle>.sig
       junction bundle upload <bundle.tar.gz> --url <junction base URL>   (API key in JUNCTION_API_KEY)`;

/** Policy files of a directory by bundle path: *.rego and data.json, nothing else. */
export function policyFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.rego') || name === 'data.json') out[relative(dir, path).split(sep).join('/')] = readFileSync(path, 'utf8');
    }
  };
  walk(dir);
  return out;
}

export async function bundleCommand(argv: string[], io = { out: (l: string) => console.log(l), err: (l: string) => console.error(l) }, env = process.env): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    if (sub === 'keygen') {
      const { values } = parseArgs({ args: rest, options: { out: { type: 'string' } }, strict: true });
      if (!values.out) throw new Error('--out <prefix> is required');
      const { privateKey, publicKey } = generateComplianceKey();
      writeFileSync(`${values.out}.key`, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
      chmodSync(`${values.out}.key`, 0o600);
      writeFileSync(`${values.out}.pub`, publicKey.export({ type: 'spki', format: 'pem' }));
      io.err(`wrote ${values.out}.key (keep it secret) and ${values.out}.pub (add it to JUNCTION_COMPLIANCE_PUBLIC_KEYS)`);
      return 0;
    }
    if (sub === 'pack') {
      const { values, positionals } = parseArgs({ args: rest, options: { key: { type: 'string' }, out: { type: 'string' } }, allowPositionals: true, strict: true });
      if (positionals.length !== 1 || !values.key || !values.out) throw new Error('pack needs <policy-dir> --key <private.pem> --out <bundle.tar.gz>');
      const bytes = await packSourceBundle(policyFiles(positionals[0]!));
      const signature = signBundle(bytes, parsePrivateKey(readFileSync(values.key, 'utf8')));
      writeFileSync(values.out, bytes);
      writeFileSync(`${values.out}.sig`, `${signature}\n`);
      io.out(signature);
      return 0;
    }
    if (sub === 'upload') {
      const { values, positionals } = parseArgs({ args: rest, options: { url: { type: 'string' } }, allowPositionals: true, strict: true });
      if (positionals.length !== 1 || !values.url) throw new Error('upload needs <bundle.tar.gz> --url <junction base URL>');
      const key = env.JUNCTION_API_KEY;
      if (!key) throw new Error('set JUNCTION_API_KEY to a compliance API key');
      const bytes = readFileSync(positionals[0]!);
      const signature = readFileSync(`${positionals[0]}.sig`, 'utf8').trim();
      const res = await fetch(new URL('/policy/v1/bundles', values.url), {
        method: 'POST',
        body: bytes,
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/gzip', [SIGNATURE_HEADER]: signature },
      });
      io.out(await res.text());
      return res.ok ? 0 : 1;
    }
    io.err(sub ? `unknown bundle command "${sub}"\n${BUNDLE_USAGE}` : BUNDLE_USAGE);
    return 2;
  } catch (err) {
    io.err(`${(err as Error).message}\n${BUNDLE_USAGE}`);
    return 2;
  }
}
