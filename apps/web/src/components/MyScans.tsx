import { useState } from 'react';
import { Link } from 'react-router';
import type { ScanListItem } from '../api/types';
import { useAuth } from '../auth/AuthProvider';
import { recallScan } from '../scan/scanStore';
import { Empty, ErrorMessage, Loading } from './Status';
import { useAction, useAsync } from './useAsync';

/** The signed-in shopper's scans, newest first (GET /api/v1/me/scans), a page at a time. */
export function MyScans() {
  const { api } = useAuth();
  const [older, setOlder] = useState<{ items: ScanListItem[]; nextCursor: string | null } | null>(null);
  const first = useAsync(async () => {
    setOlder(null);
    return api.myScans();
  }, [api]);
  const more = useAction();

  if (first.status === 'loading') return <Loading label="Loading your scans" />;
  if (first.status === 'error') return <ErrorMessage sentence={first.sentence} onRetry={first.reload} />;
  const items = [...first.data.items, ...(older?.items ?? [])];
  const nextCursor = older ? older.nextCursor : first.data.nextCursor;

  async function loadOlder() {
    if (!nextCursor) return;
    const page = await more.run(() => api.myScans(nextCursor));
    if (page) setOlder((o) => ({ items: [...(o?.items ?? []), ...page.items], nextCursor: page.nextCursor }));
  }

  if (items.length === 0) return <Empty>You haven't scanned anything yet.</Empty>;
  return (
    <>
      <ul className="product-list my-scans" aria-label="Your scans">
        {items.map((scan) => (
          <li key={scan.scanId}>
            {/* The result of a scan this tab made opens with its verdict; older ones open the passport. */}
            <Link to={recallScan(scan.scanId) ? `/scans/${scan.scanId}` : `/products/${scan.product.gtin}`}>
              <strong>{scan.product.name}</strong>
              <span className="small">
                {scan.product.brand.name} ·{' '}
                <time dateTime={scan.scannedAt}>{new Date(scan.scannedAt).toLocaleString()}</time>
                {scan.identifier.batch ? ` · batch ${scan.identifier.batch}` : ''}
              </span>
            </Link>
          </li>
        ))}
      </ul>
      {nextCursor && (
        <button type="button" onClick={() => void loadOlder()} disabled={more.busy}>
          Show older scans
        </button>
      )}
      {more.error && <ErrorMessage sentence={more.error} />}
    </>
  );
}
