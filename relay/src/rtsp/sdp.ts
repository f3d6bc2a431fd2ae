/**
 * Tracks from a DESCRIBE answer's SDP (RFC 8866), parsed with sdp-transform; control URLs
 * resolved as RFC 2326 appendix C.1.1 says.
 */
import { parse as parseSdp, parseParams } from 'sdp-transform';
import type { RtspTrack } from './types.ts';
import { RtspProtocolError } from './errors.ts';
import { resolveControlUrl } from './url.ts';

/** Static RTP payload types (RFC 3551 section 6) a camera may use without an rtpmap line. */
const STATIC_PAYLOAD_TYPES: Record<number, { encodingName: string; clockRateHz: number; channels: number | null }> = {
  0: { encodingName: 'PCMU', clockRateHz: 8000, channels: 1 },
  3: { encodingName: 'GSM', clockRateHz: 8000, channels: 1 },
  8: { encodingName: 'PCMA', clockRateHz: 8000, channels: 1 },
  9: { encodingName: 'G722', clockRateHz: 8000, channels: 1 },
  10: { encodingName: 'L16', clockRateHz: 44100, channels: 2 },
  11: { encodingName: 'L16', clockRateHz: 44100, channels: 1 },
  14: { encodingName: 'MPA', clockRateHz: 90000, channels: null },
  26: { encodingName: 'JPEG', clockRateHz: 90000, channels: null },
  32: { encodingName: 'MPV', clockRateHz: 90000, channels: null },
  33: { encodingName: 'MP2T', clockRateHz: 90000, channels: null },
};

/**
 * The tracks of an SDP session description, one per `m=` line with a usable first payload
 * type, in SDP order.
 * @param sdpText The DESCRIBE body (`application/sdp`).
 * @param baseUrl Content-Base, else Content-Location, else the DESCRIBE URL (see `describeBaseUrl`).
 * @throws RtspProtocolError when the SDP has no media description with an RTP payload type
 *   this can name, or is not SDP at all.
 */
export function tracksFromSdp(sdpText: string, baseUrl: string): RtspTrack[] {
  let session: ReturnType<typeof parseSdp>;
  try {
    session = parseSdp(sdpText);
  } catch (error) {
    throw new RtspProtocolError(`The camera's session description (SDP) could not be read`, baseUrl, { cause: error });
  }
  const sessionControl = (session as { control?: string }).control;
  const aggregateBase = sessionControl && sessionControl !== '*' ? resolveControlUrl(baseUrl, sessionControl) : baseUrl;
  const tracks: RtspTrack[] = [];
  for (const media of session.media ?? []) {
    const payloadType = Number(String(media.payloads ?? '').trim().split(/\s+/)[0]);
    if (!Number.isInteger(payloadType) || payloadType < 0 || payloadType > 127) continue;
    // An rtpmap without an encoding name or a clock rate (RFC 8866 section 6.6) names nothing.
    const rtpmap = media.rtp?.find((r) => r.payload === payloadType && typeof r.codec === 'string' && r.codec !== '' && Number(r.rate) > 0);
    const fallback = STATIC_PAYLOAD_TYPES[payloadType];
    if (!rtpmap && !fallback) continue;
    const fmtpLine = media.fmtp?.find((f) => f.payload === payloadType);
    const fmtp: Record<string, string> = {};
    if (fmtpLine) {
      for (const [key, value] of Object.entries(parseParams(fmtpLine.config))) {
        fmtp[key.trim().toLowerCase()] = value === undefined ? '' : String(value);
      }
    }
    const channels = rtpmap ? (rtpmap.encoding !== undefined ? Number(rtpmap.encoding) : null) : fallback!.channels;
    tracks.push({
      mediaType: media.type,
      encodingName: rtpmap ? rtpmap.codec.toUpperCase() : fallback!.encodingName,
      clockRateHz: rtpmap?.rate ?? fallback!.clockRateHz,
      channels: channels !== null && Number.isFinite(channels) ? channels : null,
      payloadType,
      fmtp,
      // Media-level control is relative to the base URL (C.1.1), not to the session-level one,
      // except when the session-level one is given and the media has none.
      controlUrl: media.control !== undefined ? resolveControlUrl(baseUrl, media.control) : aggregateBase,
    });
  }
  if (tracks.length === 0) {
    throw new RtspProtocolError('The camera described no media stream this relay can name (no usable m= line in the SDP)', baseUrl);
  }
  return tracks;
}

/**
 * The aggregate control URL for PLAY/TEARDOWN/GET_PARAMETER (RFC 2326 C.1.1): the session-level
 * `a=control` resolved against the base, or the base itself.
 */
export function aggregateControlUrl(sdpText: string, baseUrl: string): string {
  try {
    const control = (parseSdp(sdpText) as { control?: string }).control;
    return resolveControlUrl(baseUrl, control);
  } catch {
    return resolveControlUrl(baseUrl, undefined);
  }
}
