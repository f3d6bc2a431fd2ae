/**
 * Entry point of `tapedeck-relay` (`npx tapedeck-relay`, `npm run relay`): reads the
 * configuration, opens the camera list and the proxy sources, makes or reads the token, starts
 * the camera pipelines and the HTTP server, and stops them all on SIGINT/SIGTERM.
 *
 * Logs JSON lines on stdout; the line with `"msg":"listening"` carries the `url` to use.
 */
import { storedCameraSchema } from './api/camera-schema.ts';
import { StoredFileError } from './api/json-file.ts';
import { PersistentList } from './api/persistent-list.ts';
import { ConfigError, loadRelayConfig, USAGE } from './config.ts';
import { createRelayCameraStreams } from './http/camera-streams-factory.ts';
import { startRelayServer } from './http/server.ts';
import { loadOrCreateToken } from './http/token.ts';
import { createLogger } from './log.ts';
import { storedSourceSchema } from './proxy/source.ts';

async function main(): Promise<number> {
  let result;
  try {
    result = loadRelayConfig(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`tapedeck-relay: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (result.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { config } = result;
  const logger = createLogger({ level: config.logLevel });
  try {
    const cameras = await PersistentList.open({ path: config.camerasFile, key: 'cameras', itemSchema: storedCameraSchema, what: 'camera list' });
    const sources = await PersistentList.open({ path: config.sourcesFile, key: 'sources', itemSchema: storedSourceSchema, what: 'proxy source list' });
    const { token, created } = await loadOrCreateToken(config.tokenFile);
    const streams = createRelayCameraStreams(logger);
    const server = await startRelayServer({ config, token, cameras, sources, streams, logger });
    if (created) {
      logger.info({ token, tokenFile: config.tokenFile }, 'new access token created; it is printed only this once and kept in the token file');
    }
    logger.info({ url: server.url, camerasFile: config.camerasFile, cameras: cameras.list().length, allowPrivate: config.allowPrivate, allowedOrigins: config.allowedOrigins }, 'listening');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    logger.info('stopping');
    await server.close();
    await streams.close();
    return 0;
  } catch (error) {
    if (error instanceof StoredFileError) {
      logger.fatal({ path: error.path }, error.message);
      return 1;
    }
    logger.fatal({ err: error }, `the relay could not start: ${(error as Error).message}`);
    return 1;
  }
}

process.exitCode = await main();
