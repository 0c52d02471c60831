import { describe, expect, it } from 'vitest';
import { sameDeps, stateWhileLoading, type AsyncState } from './asyncState';

const loaded: AsyncState<string> = { status: 'ok', data: 'consents' };

describe('the state while a load runs', () => {
  it('a reload keeps the loaded data on screen, so forms under it stay mounted', () => {
    expect(stateWhileLoading(loaded, true)).toBe(loaded);
  });

  it('loading something else, or again after a failure, shows the spinner', () => {
    expect(stateWhileLoading(loaded, false)).toEqual({ status: 'loading' });
    const failed: AsyncState<string> = { status: 'error', error: new Error('x'), sentence: 'X.' };
    expect(stateWhileLoading(failed, true)).toEqual({ status: 'loading' });
  });

  it('compares dependency lists as React does', () => {
    const api = {};
    expect(sameDeps([api, 1], [api, 1])).toBe(true);
    expect(sameDeps([api, 1], [{}, 1])).toBe(false);
    expect(sameDeps([NaN], [NaN])).toBe(true);
    expect(sameDeps(null, [])).toBe(false);
  });
});
