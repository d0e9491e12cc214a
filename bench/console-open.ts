import { chromium } from 'playwright-core';
import { CHROMIUM } from '../test/helpers/browser.js';
import { startEmulatorProcess } from './emulator-process.js';
import { benchWarmPath } from './warm-path.js';

/**
 * The warm path while web consoles are open: the same benchmark as `warm`, on
 * an emulator of its own, with chromium showing the endpoints view (a fragment
 * polled every 2 s) in two tabs throughout. Compare its gateway p50/p99 and
 * throughput ratios with the `warm` run's: the live updates must not slow
 * InvokeEndpoint.
 */
export async function benchWarmPathWithConsole(perRound: number, rounds: number): Promise<string> {
  const emu = await startEmulatorProcess();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const context = await browser.newContext();
    for (let i = 0; i < 2; i++) {
      const page = await context.newPage();
      await page.goto(`${emu.url}/console/`);
    }
    const table = await benchWarmPath(emu, perRound, rounds);
    return `With two browser tabs on the web console's endpoints view (polling every 2 s) during the run:\n${table}`;
  } finally {
    await browser.close();
    await emu.stop();
  }
}
