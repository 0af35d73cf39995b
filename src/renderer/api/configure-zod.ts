/**
 * Turns off zod's compiled parsers in the page. zod builds them with
 * `new Function` after probing whether eval works, and the page's CSP
 * (script-src 'self', no 'unsafe-eval') reports even that caught probe as a
 * violation. zod reads the setting when a schema is created, so main.ts
 * imports this module before anything that imports the contract.
 */
import { z } from 'zod';

z.config({ jitless: true });
