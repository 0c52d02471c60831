/** Tumbling windows on event time: [start, start + length), aligned to the Unix epoch. */
export function windowStartOf(eventTimeMs: number, windowMs: number): number {
  return Math.floor(eventTimeMs / windowMs) * windowMs;
}

/** The UTC day (YYYY-MM-DD) a window starts in; the differential-privacy budget is per Brand and day. */
export function utcDayOf(timeMs: number): string {
  return new Date(timeMs).toISOString().slice(0, 10);
}

export const iso = (timeMs: number): string => new Date(timeMs).toISOString();
