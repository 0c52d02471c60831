/**
 * Response shapes the app reads. Types come from @packytrace/contracts where it declares them, so a
 * contract change breaks the build here rather than in the browser.
 */
import type {
  ConsentsView,
  HealthProfile,
  Me,
  PassportSummary,
  Passport,
  ProblemDetails,
  Recall,
  ScanResult,
  Verdict,
  VerdictStatus,
  BrandProductInput,
} from '@packytrace/contracts';

export type {
  ConsentsView,
  HealthProfile,
  Me,
  PassportSummary,
  Passport,
  ProblemDetails,
  Recall,
  ScanResult,
  Verdict,
  VerdictStatus,
  BrandProductInput,
};

// The Fridge shapes below mirror packages/contracts/src/http/fridge.ts, which the contracts index does
// not export yet; replace them with `import type { FridgeItem, ... } from '@packytrace/contracts'` once it does.
export type ExpiryKind = 'use_by' | 'best_before';
export type DiscardReason = 'expired' | 'spoiled' | 'other';
export interface BrandRef {
  id: string | null;
  name: string;
}
export interface FridgeItem {
  itemId: string;
  scanId: string;
  gtin: string;
  name: string;
  brand: BrandRef;
  batch?: string;
  expiry: string;
  expiryKind: ExpiryKind;
  expirySource: 'code' | 'shelf_life';
  quantity: number;
  remaining: number;
  status: 'in_fridge' | 'consumed' | 'discarded';
  openedAt?: string;
  recalled: { reason: string; batch?: string } | null;
  addedAt: string;
}
export interface FridgeView {
  items: FridgeItem[];
  expiringSoon: FridgeItem[];
}
export type FridgeHistoryEventType =
  | 'ItemAdded'
  | 'ItemConsumed'
  | 'ItemDiscarded'
  | 'ItemOpened'
  | 'ItemRecalled'
  | 'BookingUndone';
export interface FridgeHistoryEntry {
  eventId: string;
  itemId: string;
  seq: number;
  type: FridgeHistoryEventType;
  occurredAt: string;
  item?: { gtin: string; name: string; brand: BrandRef; batch?: string; expiry: string; quantity: number };
  quantity?: number;
  reason?: string;
  batch?: string;
  undoneEventId?: string;
}
export interface FridgeHistoryPage {
  events: FridgeHistoryEntry[];
  nextCursor: string | null;
}

// Brand analytics: GET /api/v1/brand/metrics (shape from the web app's brief; the service is being built).
export type Granularity = 'hour' | 'day' | 'week';
export interface MetricPoint {
  t: string;
  scans: number;
  distinctSubjects: number;
  fridgeAdds: number;
  consumed: number;
  discarded: number;
}
export interface BrandMetrics {
  series: { gtin: string; name?: string; points: MetricPoint[] }[];
  suppressedCells: number;
  minGroupSize: number;
}

export type Allergen = HealthProfile['allergens'][number];
export type Diet = HealthProfile['diets'][number];
export type Rating = Verdict['rating'];
