import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { errorSentence } from '../api/client';
import { sameDeps, stateWhileLoading, type AsyncState } from './asyncState';

export type { AsyncState } from './asyncState';

/**
 * Runs `load` when `deps` change and on `reload()`; ignores answers that arrive after a newer call.
 * `deps` say when to load, as in useEffect; `load` itself is read fresh each time. A `reload()`
 * keeps the data on screen while it runs (stateWhileLoading). The returned object changes only
 * when the state does, so it is safe as an effect dependency.
 */
export function useAsync<T>(
  load: () => Promise<T>,
  deps: readonly unknown[],
): AsyncState<T> & { reload: () => void } {
  const [state, setState] = useState<AsyncState<T>>({ status: 'loading' });
  const [generation, setGeneration] = useState(0);
  const latest = useRef(0);
  const loadRef = useRef(load);
  useEffect(() => {
    loadRef.current = load;
  });
  const loadedDeps = useRef<readonly unknown[] | null>(null);
  useEffect(() => {
    const call = ++latest.current;
    const same = sameDeps(loadedDeps.current, deps);
    loadedDeps.current = deps;
    setState((previous) => stateWhileLoading(previous, same));
    loadRef.current().then(
      (data) => call === latest.current && setState({ status: 'ok', data }),
      (error: unknown) =>
        call === latest.current &&
        setState({
          status: 'error',
          error: error instanceof Error ? error : new Error(String(error)),
          sentence: errorSentence(error),
        }),
    );
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return useMemo(() => ({ ...state, reload }), [state, reload]);
}

/** State for one button's action: busy while it runs, then a sentence on failure. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async <T>(action: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await action();
    } catch (e) {
      setError(errorSentence(e));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}
