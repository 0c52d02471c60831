/** The states of a load (useAsync), apart from React so the rules are tested without a browser. */
export type AsyncState<T> =
  { status: 'loading' } | { status: 'ok'; data: T } | { status: 'error'; error: Error; sentence: string };

/**
 * The state while a load runs. A reload of the same thing keeps what is on screen until the answer
 * comes (a page that swapped to a spinner would unmount its forms and lose what was typed); loading
 * something else (`sameDeps` false) or after a failure shows the spinner.
 */
export function stateWhileLoading<T>(previous: AsyncState<T>, sameDeps: boolean): AsyncState<T> {
  return sameDeps && previous.status === 'ok' ? previous : { status: 'loading' };
}

/** Whether two dependency lists are the same, as React compares an effect's (Object.is). */
export function sameDeps(a: readonly unknown[] | null, b: readonly unknown[]): boolean {
  return a !== null && a.length === b.length && a.every((value, i) => Object.is(value, b[i]));
}
