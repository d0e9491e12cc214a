#!/usr/bin/env node
// The installed command: runs the compiled emulator (npm run build makes dist/).
import { main } from '../dist/src/main.js';

await main(process.argv.slice(2));
