// The `junction` command: one entry for the policy toolchain and the operator/auditor tools.
import { runAuditVerify } from '../audit/cli.js';
import { keysCommand } from '../gateway/auth/keys-cli.js';
import { policyCommand } from '../policies/cli.js';
import { bundleCommand } from '../policies/lifecycle/cli.js';

const USAGE = `usage: junction <command> ...
  policy check|build|eval|test   author, test and package Rego policies (policies/README.md)
  audit verify <export.ndjson> --checkpoint <file> --public-key <file>
                                 verify an exported decision log offline (audit/README.md)
  keys create|list|revoke        API keys in the database (create prints the key once)
  bundle keygen|pack|upload      sign and upload policy bundles (gateway/auth/README.md)`;

async function main(argv: string[]): Promise<number> {
  const [cmd, sub, ...rest] = argv;
  switch (cmd) {
    case 'policy':
      return policyCommand(argv.slice(1));
    case 'audit':
      if (sub === 'verify') return runAuditVerify(rest);
      console.error(`unknown audit command "${sub ?? ''}"\n${USAGE}`);
      return 2;
    case 'keys':
      return keysCommand(argv.slice(1));
    case 'bundle':
      return bundleCommand(argv.slice(1));
    default:
      console.error(cmd ? `unknown command "${cmd}"\n${USAGE}` : USAGE);
      return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
