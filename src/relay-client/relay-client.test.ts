import { afterEach, expect, inject, it } from 'vitest';
import { SettingsStore } from '../storage/settings-store.ts';
import { deleteTestDatabase } from '../storage/test-fixtures.ts';
import { RelayClient, RelayError } from './relay-client.ts';
import { loadRelayConnection, NO_RELAY_MESSAGE, relayClientFromSettings, saveRelayConnection } from './relay-settings.ts';

/**
 * The client's checks and messages against real HTTP answers (the fault server's `/file` and
 * `/status` routes stand in for a relay's answers; the real relay is driven by
 * tests/e2e/cameras-live.spec.ts).
 */

const base = inject('faultServerUrl');

/** `json` as a real HTTP answer gives it back, parsed by the browser. */
async function answer(json: unknown): Promise<unknown> {
  const response = await fetch(`${base}/file?body=${encodeURIComponent(JSON.stringify(json))}&type=application/json`);
  return response.json();
}

const relayCamera = {
  id: 'porch',
  name: 'Porch',
  group: '',
  rtsp_url: 'rtsp://admin:***@192.168.1.20/stream1',
  has_password: true,
  transport: 'tcp',
  enabled: true,
  stream_url: 'http://127.0.0.1:8787/cameras/porch/index.m3u8?token=t',
  status: { state: 'live', bitrate_bps: 1_200_000, packets_lost: 3, loss_rate: 0.001, last_error: null, dropped_audio_codec: 'PCMU' },
};

const opened: SettingsStore[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) {
    store.close();
    await deleteTestDatabase(store.dbName);
  }
});

it('says the relay cannot be reached when nothing listens there', async () => {
  // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
  const client = new RelayClient({ url: 'http://127.0.0.1:9', token: 't' }, 5000);
  const error = await client.listCameras().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RelayError);
  expect(error).toMatchObject({ code: 'unreachable' });
  expect((error as Error).message).toMatch(/^The relay at http:\/\/127\.0\.0\.1:9 cannot be reached: is it running/);
});

it('says the token is wrong on 401, the relay’s reason on 400, and what it is on 404 and 500', async () => {
  const client = (status: number) => new RelayClient({ url: `${base}/status/${status}#`, token: 't' }, 5000);
  // `#` ends the base URL's path: requests go to /status/<code> whatever the API path.
  const unauthorized = await client(401).listCameras().catch((e: unknown) => e);
  expect(unauthorized).toMatchObject({ code: 'unauthorized', status: 401, message: expect.stringMatching(/refused the access token \(401\)/) });
  const serverError = await client(500).listCameras().catch((e: unknown) => e);
  expect(serverError).toMatchObject({ code: 'http-error', status: 500, message: 'The relay answered HTTP 500.' });
});

it('checks answers with zod: a camera answer becomes camelCase with units; a foreign answer is refused clearly', async () => {
  const { relayCameraSchema, relayCameraListSchema } = await import('./relay-schemas.ts');
  const parsed = relayCameraSchema.parse(await answer(relayCamera));
  expect(parsed).toEqual({
    id: 'porch',
    name: 'Porch',
    group: '',
    rtspUrl: 'rtsp://admin:***@192.168.1.20/stream1',
    hasPassword: true,
    transport: 'tcp',
    enabled: true,
    streamUrl: 'http://127.0.0.1:8787/cameras/porch/index.m3u8?token=t',
    status: { state: 'live', bitrateBps: 1_200_000, packetsLost: 3, lossRate: 0.001, lastError: null, droppedAudioCodec: 'PCMU' },
  });
  expect(relayCameraListSchema.safeParse(await answer({ items: [] })).success).toBe(false);

  // A server that is not a relay: the answer's shape is refused with a message naming the field.
  const notRelay = new RelayClient({ url: `${base}/file?type=application/json&body=${encodeURIComponent('{"hello":1}')}#`, token: 't' }, 5000);
  const error = await notRelay.listCameras().catch((e: unknown) => e);
  expect(error).toMatchObject({ code: 'bad-response', message: expect.stringMatching(/^The relay’s answer is not what Tapedeck expects \(cameras: .*\): is it a Tapedeck relay/) });
  const notJson = new RelayClient({ url: `${base}/file?body=hello#`, token: 't' }, 5000);
  expect(await notJson.listCameras().catch((e: unknown) => e)).toMatchObject({ code: 'bad-response', message: expect.stringMatching(/something other than JSON/) });
});

it('times out a relay that does not answer', async () => {
  const client = new RelayClient({ url: `${base}/hang#`, token: 't' }, 300);
  expect(await client.listCameras().catch((e: unknown) => e)).toMatchObject({ code: 'timeout', message: expect.stringMatching(/did not answer within 0 s|did not answer within 1 s/) });
});

it('refuses a bad relay URL or an empty token before any request, and saves nothing then', async () => {
  expect(() => new RelayClient({ url: 'relay.local', token: 't' }, 5000)).toThrow(/not a full URL/);
  expect(() => new RelayClient({ url: 'ftp://relay.local', token: 't' }, 5000)).toThrow(/must start with http:\/\/ or https:\/\//);
  expect(() => new RelayClient({ url: 'http://relay.local', token: ' ' }, 5000)).toThrow(/access token/);

  const settings = await SettingsStore.open(`test-relay-${crypto.randomUUID()}`);
  opened.push(settings);
  await expect(relayClientFromSettings(settings, 5000)).rejects.toThrow(NO_RELAY_MESSAGE);
  await expect(saveRelayConnection(settings, { url: 'nope', token: 't' }, 5000)).rejects.toThrow(RelayError);
  expect(await loadRelayConnection(settings)).toBeNull();
  await saveRelayConnection(settings, { url: ' http://127.0.0.1:8787 ', token: ' secret ' }, 5000);
  expect(await loadRelayConnection(settings)).toEqual({ url: 'http://127.0.0.1:8787', token: 'secret' });
  const client = await relayClientFromSettings(settings, 5000);
  expect(client.proxyUrl('https://tv.example/live.m3u8', 'src-1')).toBe('http://127.0.0.1:8787/proxy?url=https%3A%2F%2Ftv.example%2Flive.m3u8&source=src-1&token=secret');
});
