import { ScanSnapshot } from '@packytrace/contracts';
import { InternalClient, notFound, serviceUnavailable, UpstreamUnavailable } from '@packytrace/service-kit';
import { Compile } from 'typebox/compile';

const snapshotCheck = Compile(ScanSnapshot);

const passportUnavailable = (detail: string) => serviceUnavailable('passport_unavailable', detail);

/** Passport's internal snapshot of a scan: the only source of what Fridge books (never the client). */
export class PassportClient {
  private readonly http: InternalClient;

  constructor(options: { baseUrl: string; internalSecret: string; timeoutMs?: number }) {
    this.http = new InternalClient({ service: 'passport', ...options });
  }

  /** The scan of this account, or 404 scan_not_found (Passport answers 404 for other accounts' scans too). */
  async scanSnapshot(accountId: string, scanId: string, requestId?: string): Promise<ScanSnapshot> {
    let response;
    try {
      response = await this.http.call<unknown>(
        'GET',
        `/internal/scans/${encodeURIComponent(scanId)}/snapshot`,
        { accountId, requestId },
      );
    } catch (error) {
      if (error instanceof UpstreamUnavailable)
        throw passportUnavailable(
          error.reason === 'timeout'
            ? 'Passport is too slow to answer; try again shortly.'
            : 'Passport cannot be reached; try again shortly.',
        );
      throw passportUnavailable('Passport sent an unreadable answer.');
    }
    if (response.status === 404) throw notFound('scan_not_found', 'No such scan of yours.');
    if (response.status !== 200) throw passportUnavailable(`Passport answered ${response.status}.`);
    if (!snapshotCheck.Check(response.body))
      throw passportUnavailable('Passport sent a snapshot Fridge cannot read.');
    return response.body;
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}
