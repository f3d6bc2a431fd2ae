import type { SettingsStore } from '../storage/settings-store.ts';
import { RelayClient, RelayError, type RelayConnection } from './relay-client.ts';

/** Message when something needs the relay and none is set up. */
export const NO_RELAY_MESSAGE = 'No relay is set up: enter the relay URL and its access token under Relay settings first.';

/** The relay URL and token saved in settings, or null when either is missing. */
export async function loadRelayConnection(settings: SettingsStore): Promise<RelayConnection | null> {
  const [url, token] = await Promise.all([settings.get('relayUrl'), settings.get('relayToken')]);
  return url && token ? { url, token } : null;
}

/**
 * Saves the relay URL and token (both trimmed); empty values remove the relay.
 * @throws RelayError `invalid` for a URL that is not http(s) or a URL without a token; nothing is saved then.
 */
export async function saveRelayConnection(settings: SettingsStore, connection: RelayConnection, timeoutMs: number): Promise<void> {
  const url = connection.url.trim();
  const token = connection.token.trim();
  if (url || token) new RelayClient({ url, token }, timeoutMs);
  await settings.update('relayUrl', () => url);
  await settings.update('relayToken', () => token);
}

/**
 * A client of the saved relay.
 * @throws RelayError `invalid` with {@link NO_RELAY_MESSAGE} when no relay is saved.
 */
export async function relayClientFromSettings(settings: SettingsStore, timeoutMs: number): Promise<RelayClient> {
  const connection = await loadRelayConnection(settings);
  if (!connection) throw new RelayError('invalid', NO_RELAY_MESSAGE);
  return new RelayClient(connection, timeoutMs);
}
