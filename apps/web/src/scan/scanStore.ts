import type { ScanResult } from '../api/types';

/**
 * The API has no GET for one scan, so the passport page reads the scan result this tab received.
 * Session storage keeps it across a reload without keeping it after the tab closes.
 */
const key = (scanId: string) => `pt.scan.${scanId}`;

export function rememberScan(result: ScanResult): void {
  try {
    sessionStorage.setItem(key(result.scanId), JSON.stringify(result));
  } catch {
    // Storage full or disabled: the page still gets the result through navigation state.
  }
}

export function recallScan(scanId: string): ScanResult | null {
  const stored = sessionStorage.getItem(key(scanId));
  return stored ? (JSON.parse(stored) as ScanResult) : null;
}
