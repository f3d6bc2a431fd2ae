/**
 * The relay's configuration: command-line flags (node:util parseArgs) over environment
 * variables over defaults. One object, units in the names.
 */
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import ipaddr from 'ipaddr.js';

/** Every setting of the relay. */
export interface RelayConfig {
  /** Address the HTTP server listens on. Default `127.0.0.1` (this machine only). */
  host: string;
  /** TCP port; 0 lets the OS choose. Default 8787. */
  port: number;
  /**
   * Base URL clients reach the relay at (`https://relay.example:8787`), used in `stream_url`
   * and in rewritten playlist URIs. Null (the default): taken from each request's Host header.
   */
  publicUrl: string | null;
  /** Absolute path of the JSON camera list. The token and the sources file sit beside it. */
  camerasFile: string;
  /** Absolute path of the JSON list of proxy sources (headers per upstream site). */
  sourcesFile: string;
  /** Absolute path of the file holding the bearer token. */
  tokenFile: string;
  /**
   * Origins whose pages may call the relay (CORS, reflected only for these), e.g.
   * `http://localhost:5173`. Default: the app's dev and preview servers on localhost.
   */
  allowedOrigins: string[];
  /** Let the proxy reach loopback, private, link-local and multicast addresses. Default false. */
  allowPrivate: boolean;
  /** CIDR ranges the proxy may reach even though they are not public (`192.168.1.0/24`). */
  allowedCidrs: string[];
  /** Redirects the proxy follows for one request (each one checked). Default 5. */
  maxRedirects: number;
  /** Longest wait for an upstream's response headers, connection included, in ms. Default 10000. */
  upstreamHeadersTimeoutMs: number;
  /** Longest pause between two chunks of an upstream body, in ms. Default 15000. */
  upstreamIdleTimeoutMs: number;
  /** Largest playlist the proxy reads (it is held in memory to rewrite), in bytes. Default 4 MiB. */
  maxPlaylistBytes: number;
  /** Largest other response (segment, key, init section) the proxy streams, in bytes. Default 256 MiB. */
  maxSegmentBytes: number;
  /** Largest JSON request body the API reads, in bytes. Default 64 KiB. */
  maxRequestBodyBytes: number;
  /** pino level. Default `info`. */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

/** A flag or environment variable has a bad value; the message names it and the value. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The relay's default port. */
export const DEFAULT_PORT = 8787;

/** Environment variable read for each flag (flags win). */
export const ENV_NAMES = {
  host: 'TAPEDECK_RELAY_HOST',
  port: 'TAPEDECK_RELAY_PORT',
  'public-url': 'TAPEDECK_RELAY_PUBLIC_URL',
  'cameras-file': 'TAPEDECK_RELAY_CAMERAS_FILE',
  'allowed-origin': 'TAPEDECK_RELAY_ALLOWED_ORIGINS',
  'allow-private': 'TAPEDECK_RELAY_ALLOW_PRIVATE',
  'allow-cidr': 'TAPEDECK_RELAY_ALLOW_CIDRS',
  'max-redirects': 'TAPEDECK_RELAY_MAX_REDIRECTS',
  'upstream-headers-timeout-ms': 'TAPEDECK_RELAY_UPSTREAM_HEADERS_TIMEOUT_MS',
  'upstream-idle-timeout-ms': 'TAPEDECK_RELAY_UPSTREAM_IDLE_TIMEOUT_MS',
  'max-playlist-bytes': 'TAPEDECK_RELAY_MAX_PLAYLIST_BYTES',
  'max-segment-bytes': 'TAPEDECK_RELAY_MAX_SEGMENT_BYTES',
  'max-request-body-bytes': 'TAPEDECK_RELAY_MAX_REQUEST_BODY_BYTES',
  'log-level': 'TAPEDECK_RELAY_LOG_LEVEL',
} as const;

/** Text printed by `tapedeck-relay --help`. */
export const USAGE = `Usage: tapedeck-relay [options]

  --host <address>                    listen address (default 127.0.0.1)
  --port <n>                          TCP port, 0 = any free one (default ${DEFAULT_PORT})
  --public-url <url>                  base URL clients use (default: from the Host header)
  --cameras-file <path>               JSON camera list; token and sources.json sit beside it
                                      (default ~/.config/tapedeck-relay/cameras.json)
  --allowed-origin <origin>           page origin allowed by CORS (repeatable)
  --allow-private                     let the proxy reach loopback/private/link-local/multicast
  --allow-cidr <cidr>                 let the proxy reach one such range (repeatable)
  --max-redirects <n>                 redirects followed per proxied request (default 5)
  --upstream-headers-timeout-ms <ms>  wait for upstream response headers (default 10000)
  --upstream-idle-timeout-ms <ms>     longest pause inside an upstream body (default 15000)
  --max-playlist-bytes <bytes>        largest playlist proxied (default 4194304)
  --max-segment-bytes <bytes>         largest segment/key proxied (default 268435456)
  --max-request-body-bytes <bytes>    largest API request body (default 65536)
  --log-level <level>                 fatal|error|warn|info|debug|trace|silent (default info)
  --help                              print this text

Each option can also be set by an environment variable: ${Object.values(ENV_NAMES).join(', ')}
(lists comma-separated; booleans 1/true/yes).`;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** What {@link loadRelayConfig} found: a config, or a request for the usage text. */
export type ConfigResult = { kind: 'config'; config: RelayConfig } | { kind: 'help' };

/**
 * Builds the configuration from command-line arguments and the environment.
 * @param argv Arguments after the script name (`process.argv.slice(2)`).
 * @param env Environment variables (`process.env`).
 * @throws ConfigError on an unknown flag, a missing flag value, a number out of range, a bad
 *   URL, origin or CIDR, or an unknown log level.
 */
export function loadRelayConfig(argv: string[], env: NodeJS.ProcessEnv): ConfigResult {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'public-url': { type: 'string' },
        'cameras-file': { type: 'string' },
        'allowed-origin': { type: 'string', multiple: true },
        'allow-private': { type: 'boolean' },
        'allow-cidr': { type: 'string', multiple: true },
        'max-redirects': { type: 'string' },
        'upstream-headers-timeout-ms': { type: 'string' },
        'upstream-idle-timeout-ms': { type: 'string' },
        'max-playlist-bytes': { type: 'string' },
        'max-segment-bytes': { type: 'string' },
        'max-request-body-bytes': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\n\n${USAGE}`);
  }
  if (values.help === true) return { kind: 'help' };

  const text = (flag: keyof typeof ENV_NAMES): string | undefined => {
    const value = values[flag];
    if (typeof value === 'string') return value;
    const fromEnv = env[ENV_NAMES[flag]];
    return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
  };
  const list = (flag: keyof typeof ENV_NAMES): string[] | undefined => {
    const value = values[flag];
    if (Array.isArray(value)) return value;
    return text(flag)?.split(',').map((item) => item.trim()).filter((item) => item !== '');
  };
  const integer = (flag: keyof typeof ENV_NAMES, fallback: number, min: number, max: number): number => {
    const raw = text(flag);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new ConfigError(`--${flag} (or ${ENV_NAMES[flag]}) must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
    }
    return value;
  };

  const camerasFile = resolve(text('cameras-file') ?? join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'tapedeck-relay', 'cameras.json'));
  const dataDir = dirname(camerasFile);
  const logLevel = text('log-level') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`);
  }
  const allowPrivateText = values['allow-private'] === true ? 'true' : (env[ENV_NAMES['allow-private']] ?? 'false');
  const allowedCidrs = list('allow-cidr') ?? [];
  for (const cidr of allowedCidrs) {
    if (!ipaddr.isValidCIDR(cidr)) throw new ConfigError(`--allow-cidr must be a CIDR range like 192.168.1.0/24, got ${JSON.stringify(cidr)}`);
  }
  return {
    kind: 'config',
    config: {
      host: text('host') ?? '127.0.0.1',
      port: integer('port', DEFAULT_PORT, 0, 65535),
      publicUrl: parsePublicUrl(text('public-url')),
      camerasFile,
      sourcesFile: join(dataDir, 'sources.json'),
      tokenFile: join(dataDir, 'token'),
      allowedOrigins: (list('allowed-origin') ?? defaultOrigins()).map(parseOrigin),
      allowPrivate: parseBoolean(allowPrivateText, 'allow-private'),
      allowedCidrs,
      maxRedirects: integer('max-redirects', 5, 0, 20),
      upstreamHeadersTimeoutMs: integer('upstream-headers-timeout-ms', 10_000, 1, 600_000),
      upstreamIdleTimeoutMs: integer('upstream-idle-timeout-ms', 15_000, 1, 600_000),
      maxPlaylistBytes: integer('max-playlist-bytes', 4 * 1024 * 1024, 1, 256 * 1024 * 1024),
      maxSegmentBytes: integer('max-segment-bytes', 256 * 1024 * 1024, 1, Number.MAX_SAFE_INTEGER),
      maxRequestBodyBytes: integer('max-request-body-bytes', 64 * 1024, 1, 16 * 1024 * 1024),
      logLevel: logLevel as RelayConfig['logLevel'],
    },
  };
}

/** The app's Vite dev (5173) and preview (4173) servers, on both spellings of loopback. */
function defaultOrigins(): string[] {
  return ['5173', '4173'].flatMap((port) => [`http://localhost:${port}`, `http://127.0.0.1:${port}`]);
}

/** `http(s)://host[:port]` exactly as browsers send it in the Origin header (RFC 6454 section 6.1). */
function parseOrigin(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`--allowed-origin must be an origin like http://localhost:5173, got ${JSON.stringify(text)}`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== text.replace(/\/$/, '')) {
    throw new ConfigError(`--allowed-origin must be an origin like http://localhost:5173 (no path), got ${JSON.stringify(text)}`);
  }
  return url.origin;
}

function parsePublicUrl(text: string | undefined): string | null {
  if (text === undefined) return null;
  try {
    const url = new URL(text);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.href.replace(/\/$/, '');
  } catch {
    // fall through
  }
  throw new ConfigError(`--public-url must be an http(s) URL, got ${JSON.stringify(text)}`);
}

function parseBoolean(text: string, flag: string): boolean {
  const value = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(value)) return false;
  throw new ConfigError(`--${flag} environment value must be 1/true/yes or 0/false/no, got ${JSON.stringify(text)}`);
}
