// Worker thread that evaluates policies off the main event loop. Plain JS so it starts under
// node, tsx and vitest alike; it registers tsx to load Junction's TypeScript modules.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { instantiatePolicy } = await import('./instance.ts');

/** Loaded policies by bundle generation: in-flight decisions finish on the generation they began with. */
const generations = new Map();

parentPort.on('message', async (msg) => {
  try {
    switch (msg.type) {
      case 'load': {
        generations.set(msg.generation, await instantiatePolicy({ wasm: msg.wasm, data: msg.data }));
        parentPort.postMessage({ id: msg.id, ok: true });
        break;
      }
      case 'drop':
        generations.delete(msg.generation);
        break;
      case 'eval': {
        const instance = generations.get(msg.generation);
        if (!instance) throw new Error(`bundle generation ${msg.generation} is not loaded in this worker`);
        const started = process.hrtime.bigint();
        const resultSet = instance.evaluate(msg.entrypoint, msg.input);
        const evalNs = Number(process.hrtime.bigint() - started);
        parentPort.postMessage({ id: msg.id, ok: true, resultSet, evalNs });
        break;
      }
      default:
        throw new Error(`unknown message type ${msg.type}`);
    }
  } catch (err) {
    parentPort.postMessage({ id: msg.id, ok: false, error: typeof err === 'string' ? err : String(err?.message ?? err) });
  }
});
