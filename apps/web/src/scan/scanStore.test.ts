import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ScanResult } from '../api/types';
import { codeToScanAgain, recallScan, rememberScan, type StoredScan } from './scanStore';

const result = {
  scanId: '5b7a1a56-0000-4000-8000-0000000000a1',
  scannedAt: '2026-11-20T10:00:00Z',
  identifier: { gtin: '04012345000016' },
  verdict: null,
  verdictStatus: 'anonymous',
} as unknown as ScanResult;
const anonymous: StoredScan = { result, code: '4012345000016', owner: null };

describe('a scan kept for its result page', () => {
  beforeEach(() => {
    const items = new Map<string, string>();
    vi.stubGlobal('sessionStorage', {
      getItem: (k: string) => items.get(k) ?? null,
      setItem: (k: string, v: string) => void items.set(k, v),
    });
  });
  afterEach(() => vi.unstubAllGlobals());

  it('is scanned again for an account that signed in after an anonymous scan', () => {
    expect(codeToScanAgain(anonymous, 'account-sub')).toBe('4012345000016');
  });

  it('is not scanned again while signed out, or when it is already the account own scan', () => {
    expect(codeToScanAgain(anonymous, null)).toBeNull();
    expect(codeToScanAgain({ ...anonymous, owner: 'account-sub' }, 'account-sub')).toBeNull();
    expect(codeToScanAgain({ ...anonymous, owner: 'someone-else' }, 'account-sub')).toBe('4012345000016');
  });

  it('survives the sign-in round trip in session storage, code and owner included', () => {
    rememberScan(anonymous);
    expect(recallScan(result.scanId)).toEqual(anonymous);
    expect(recallScan('another-scan')).toBeNull();
  });
});
