import { createApp } from './app.js';
import { firstAdminInstructions } from './auth/index.js';
import { demoInstructions } from './bootstrap/index.js';
import { ConfigError, loadConfig } from './config/index.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const app = await createApp(config);
  const { httpUrl } = await app.listen();
  app.logger.info({ httpUrl }, 'Portico is running');
  // For the person who just ran `npm start`: plain lines, not JSON.
  console.log(
    `\nPortico is running.\n  Customer portal: ${httpUrl}/portal\n  Admin area:      ${httpUrl}/admin\n`,
  );
  if (app.bootstrapped.seededDemo) console.log(`${demoInstructions(httpUrl)}\n`);
  const firstAdmin = firstAdminInstructions(app.firstAdmin, httpUrl);
  if (firstAdmin) console.log(`${firstAdmin}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.logger.info({ signal }, 'shutting down');
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

await main();
