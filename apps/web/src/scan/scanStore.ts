import type { ScanResult } from '../api/types';

/**
 * The API has no GET for one scan, so the passport page reads the scan result this tab received.
 * Session storage keeps it across a reload (and the sign-in round trip through Keycloak) without
 * keeping it after the tab closes.
 */
export interface StoredScan {
  result: ScanResult;
  /** The code as sent to POST /api/v1/scans, to scan it again for another caller. */
  code: string;
  /** Who scanned: the account's `sub`, or null for the anonymous visitor. */
  owner: string | null;
}

const key = (scanId: string) => `pt.scan.${scanId}`;

export function rememberScan(scan: StoredScan): void {
  try {
    sessionStorage.setItem(key(scan.result.scanId), JSON.stringify(scan));
  } catch {
    // Storage full or disabled: the page still gets the result through navigation state.
  }
}

export function recallScan(scanId: string): StoredScan | null {
  const stored = sessionStorage.getItem(key(scanId));
  if (!stored) return null;
  const scan = JSON.parse(stored) as Partial<StoredScan>;
  // An entry from before codes were kept cannot be scanned again: treat it as gone.
  return scan.result && typeof scan.code === 'string' ? (scan as StoredScan) : null;
}

/**
 * The code to scan again when the signed-in account is not who made this scan: a scan belongs to
 * its caller (the Fridge refuses another's scan with 404), and only the account's own scan gets
 * the account's verdict. Null when the scan is already the account's, or nobody is signed in.
 */
export function codeToScanAgain(scan: StoredScan, account: string | null): string | null {
  return account !== null && scan.owner !== account ? scan.code : null;
}
