import { ProblemDetails, ScanSnapshot } from '@packytrace/contracts';
import { notFound, requireAccount, type ServiceApp } from '@packytrace/service-kit';
import Type from 'typebox';
import type { ScanRepository } from '../db/scans';

/**
 * Fridge's view of a scan (GET /internal/scans/{scanId}/snapshot). 404 both when the scan does not
 * exist and when it is another account's, so a caller cannot probe for other people's scan ids.
 */
export function internalScanRoutes(scans: ScanRepository) {
  return async (app: ServiceApp) => {
    app.get(
      '/internal/scans/:scanId/snapshot',
      {
        schema: {
          tags: ['internal'],
          params: Type.Object({ scanId: Type.String({ maxLength: 100 }) }),
          response: { 200: ScanSnapshot, 404: ProblemDetails },
        },
      },
      async (request) => {
        const accountId = requireAccount(request);
        const { scanId } = request.params;
        const snapshot = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(scanId)
          ? await scans.snapshot(scanId, accountId)
          : undefined;
        if (!snapshot) throw notFound('scan_not_found', 'No such scan for this account.');
        return snapshot;
      },
    );
  };
}
