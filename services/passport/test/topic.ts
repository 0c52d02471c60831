/**
 * A `done` predicate for readTopic that looks only at the newest event (readTopic passes the whole
 * array each time; checking it all would be quadratic on a shared topic with many events).
 */
export function seenAll<E>(
  wanted: readonly string[],
  idOf: (event: E) => string | undefined,
): (events: E[]) => boolean {
  const missing = new Set(wanted);
  return (events) => {
    const id = events.length > 0 ? idOf(events[events.length - 1]!) : undefined;
    if (id !== undefined) missing.delete(id);
    return missing.size === 0;
  };
}
