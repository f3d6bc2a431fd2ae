/**
 * The relay's structured logger (pino, one JSON object per line) and the redaction that keeps
 * passwords out of every log line.
 *
 * Camera URLs carry credentials (`rtsp://user:password@host/...`, RFC 3986 section 3.2.1
 * "userinfo"); they must never reach a log. {@link createLogger} redacts every string it is
 * given (the message, string fields at any depth, error messages and stacks) with
 * {@link redactUrlPasswords}, so callers cannot forget.
 */
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

/** What replaces a password in a redacted URL. */
export const PASSWORD_MASK = '***';

/**
 * `scheme://user:password@` at the start of an authority (RFC 3986 section 3.2). The user part
 * stops at `:`, `@`, `/` or whitespace; the password part runs to the last `@` before the path
 * (a raw `@` inside a password is not valid URL syntax, but cameras' docs show such URLs, so the
 * greedy match still hides all of it).
 */
const USERINFO_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/?#]*:)([^\s/?#]*)@/gi;

/**
 * Replaces the password of every `scheme://user:password@host` URL inside `text` with `***`
 * (`rtsp://admin:secret@cam/x` becomes `rtsp://admin:***@cam/x`). Text without such URLs is
 * returned unchanged. Works on any scheme, rtsp:// and rtsps:// included.
 * @param text Any text: a URL, an error message, a log line.
 * @returns The text with passwords masked.
 */
export function redactUrlPasswords(text: string): string {
  return text.replace(USERINFO_PASSWORD, (_match, prefix: string) => `${prefix}${PASSWORD_MASK}@`);
}

/**
 * Copy of `value` with {@link redactUrlPasswords} applied to every string in it, at any depth.
 * Errors become `{ type, message, stack, code? }` with redacted text; URL objects become
 * redacted strings; other class instances (Date, Buffer) are kept as they are. Depth over 8
 * becomes `'[truncated]'` (which also ends cycles).
 */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactUrlPasswords(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[truncated]';
  if (value instanceof Error) {
    const code = (value as Error & { code?: unknown }).code;
    return {
      type: value.name,
      message: redactUrlPasswords(value.message),
      stack: value.stack === undefined ? undefined : redactUrlPasswords(value.stack),
      ...(code === undefined ? {} : { code }),
    };
  }
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, depth + 1));
  if (value instanceof URL) return redactUrlPasswords(value.href);
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return value; // Date, Buffer, Map: as they are
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = redactDeep(item, depth + 1);
  return out;
}

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /** pino level: `fatal`, `error`, `warn`, `info` (the default), `debug`, `trace` or `silent`. */
  level?: LevelWithSilent;
  /** Where lines go; defaults to stdout. Tests pass a stream to read lines back. */
  destination?: DestinationStream;
}

/**
 * Makes the relay's logger: pino JSON lines with `level`, `time` (ms since the Unix epoch),
 * `msg` and the fields given, every string redacted with {@link redactUrlPasswords}. An Error
 * passed first is logged under `err` as `{ type, message, stack }`.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const settings = {
    level: options.level ?? 'info',
    base: { name: 'tapedeck-relay' },
    // Errors reach pino already turned into `{ type, message, stack }` by redactDeep.
    serializers: { err: (err: unknown) => err },
    hooks: {
      logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void) {
        const redacted = args.map((arg) => redactDeep(arg));
        const first = args[0];
        if (first instanceof Error) redacted[0] = { err: redactDeep(first) };
        method.apply(this, redacted);
      },
    },
  };
  const logger = options.destination === undefined ? pino(settings) : pino(settings, options.destination);
  // Fields of child loggers (`logger.child({ url })`) do not pass through logMethod, and pino
  // applies `formatters.bindings` to the root only: redact them as children are made. Children
  // inherit this method through their prototype, so grandchildren are covered too.
  const pinoChild = Object.getPrototypeOf(logger).child as Logger['child'];
  logger.child = function child(this: Logger, bindings, childOptions) {
    return pinoChild.call(this, redactDeep(bindings) as typeof bindings, childOptions);
  } as Logger['child'];
  return logger;
}
