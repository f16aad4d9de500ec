#!/usr/bin/env node
// Starts the TypeScript CLI through tsx, so `npx junction ...` needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
