/**
 * Response and request shapes the app reads and sends, all from @packytrace/contracts, so a
 * contract change breaks the build here rather than in the browser. Type-only imports: TypeBox
 * and the schemas stay out of the bundle (`import type` is erased by the compiler).
 */
import type { Static } from 'typebox';
import type {
  BrandMetricsPoint,
  BrandMetricsResponse,
  HealthProfile,
  MetricsGranularity,
  ScanList as ScanListSchema,
  ScanListItem as ScanListItemSchema,
  Verdict,
} from '@packytrace/contracts';

export type {
  AccountCreated,
  BrandProductInput,
  ConsentsView,
  DiscardReason,
  ExpiryKind,
  FridgeHistoryEntry,
  FridgeHistoryPage,
  FridgeItem,
  FridgeView,
  HealthProfile,
  Me,
  Passport,
  PassportSummary,
  ProblemDetails,
  Recall,
  RegisterAccountRequest,
  ScanResult,
  ScannedIdentifier,
  Verdict,
  VerdictStatus,
} from '@packytrace/contracts';

/** GET /api/v1/me/scans (the contracts declare the schema only). */
export type ScanList = Static<typeof ScanListSchema>;
export type ScanListItem = Static<typeof ScanListItemSchema>;

/** GET /api/v1/brand/metrics: per measurement window, or summed per UTC day. */
export type BrandMetrics = BrandMetricsResponse;
export type Granularity = MetricsGranularity;
export type MetricPoint = BrandMetricsPoint;

export type Allergen = HealthProfile['allergens'][number];
export type Diet = HealthProfile['diets'][number];
export type Rating = Verdict['rating'];
