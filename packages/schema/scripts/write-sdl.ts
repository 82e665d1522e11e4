import { writeFileSync } from 'node:fs';
import { printSdl } from '../src/print-sdl.ts';

writeFileSync(new URL('../schema.graphql', import.meta.url), printSdl());
console.log('wrote schema.graphql');
