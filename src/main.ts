import { createApp } from './app.js';
import { firstAdminInstructions } from './auth/index.js';
import { demoInstructions, SecretMismatchError } from './bootstrap/index.js';
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
  let app;
  try {
    app = await createApp(config);
  } catch (error) {
    if (error instanceof SecretMismatchError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const { httpUrl } = await app.listen();
  app.logger.info({ httpUrl }, 'Portico is running');
  // For the person who just ran `npm start`: plain lines, not JSON.
  console.log(
    `\nPortico is running.\n  Customer portal: ${httpUrl}/portal\n  Admin area:      ${httpUrl}/admin\n`,
  );
  if (app.bootstrapped.seededDemo) console.log(`${demoInstructions(httpUrl)}\n`);
  const firstAdmin = firstAdminInstructions(app.firstAdmin, httpUrl);
  if (firstAdmin) console.log(`${firstAdmin}\n`);

  // Graceful shutdown: /readyz turns 503, HTTP stops taking connections, RADIUS stops reading
  // (the NAS fails over), the accounting batch in flight commits and is answered, workers
  // finish, the database closes. Past the deadline, or on a second signal, exit anyway.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      app.logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    stopping = true;
    const deadlineMs = config.shutdownTimeoutSeconds * 1000;
    app.logger.info({ signal, deadlineMs }, 'shutting down');
    app.beginShutdown();
    setTimeout(() => {
      app.logger.error({ deadlineMs }, 'shutdown deadline passed: exiting');
      process.exit(1);
    }, deadlineMs).unref();
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
