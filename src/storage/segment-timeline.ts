/** The timing fields of a stored segment that decide where its timeline breaks. */
export interface StoredSegmentTiming {
  /** Media sequence number (RFC 8216 section 4.3.3.2). */
  msn: number;
  /** EXT-X-DISCONTINUITY preceded it in the playlist (section 4.3.2.3). */
  discontinuity: boolean;
}

/**
 * True when `segment` cannot continue `previous`'s timestamps: the stream marked a
 * discontinuity, or segments between them are missing from the recording (a gap), or there is
 * no previous segment. Players and exports restart their timeline there.
 */
export function startsDiscontinuity(previous: StoredSegmentTiming | undefined, segment: StoredSegmentTiming): boolean {
  return !previous || segment.discontinuity || segment.msn !== previous.msn + 1;
}
