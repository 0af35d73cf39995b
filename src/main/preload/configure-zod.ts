/**
 * Turns off zod's compiled parsers in the preload, as the renderer does in
 * api/configure-zod.ts. zod probes `new Function` when it builds a parser,
 * and the sandboxed page's CSP (no 'unsafe-eval') reports that probe as a
 * violation. zod reads the setting when a schema is created, so index.ts
 * imports this module before anything that imports the contract.
 */
import { z } from 'zod';

z.config({ jitless: true });
