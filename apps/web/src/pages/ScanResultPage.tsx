import { useEffect, useId, useRef, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { errorSentence } from '../api/client';
import { useAuth } from '../auth/AuthProvider';
import { PassportView } from '../components/PassportView';
import { ErrorMessage, Loading, Notice } from '../components/Status';
import { useAction } from '../components/useAsync';
import { usePageTitle } from '../components/usePageTitle';
import { useUserAllergens } from '../components/useUserAllergens';
import { codeToScanAgain, recallScan, rememberScan, type StoredScan } from '../scan/scanStore';

export function ScanResultPage() {
  const { scanId = '' } = useParams();
  const location = useLocation();
  const state = location.state as Partial<StoredScan> | null;
  const stored = state?.result && state.code !== undefined ? (state as StoredScan) : recallScan(scanId);
  const userAllergens = useUserAllergens();
  const rescan = useOwnScan(stored);
  usePageTitle(stored?.result.passport.name ?? 'Scan result');
  if (!stored) {
    return (
      <div className="page">
        <p>This scan is no longer on this device.</p>
        <Link to="/">Scan again</Link>
      </div>
    );
  }
  if (rescan.status === 'scanning') {
    return (
      <div className="page">
        <Loading label="Getting your personal verdict" />
      </div>
    );
  }
  const { result } = stored;
  return (
    <div className="page">
      {rescan.status === 'failed' && <ErrorMessage sentence={rescan.sentence} onRetry={rescan.retry} />}
      <PassportView
        passport={result.passport}
        identifier={result.identifier}
        verdict={
          rescan.status === 'failed' ? undefined : { verdict: result.verdict, status: result.verdictStatus }
        }
        userAllergens={userAllergens}
        actions={
          rescan.status === 'failed' ? undefined : <AddToFridge scanId={result.scanId} returnTo={scanId} />
        }
      />
      <p>
        <Link to="/">Scan another product</Link>
      </p>
    </div>
  );
}

type OwnScan =
  { status: 'own' } | { status: 'scanning' } | { status: 'failed'; sentence: string; retry: () => void };

/**
 * A scan made before signing in is the visitor's: the Fridge refuses it for the account (404
 * scan_not_found) and its verdict is the anonymous one. Once signed in, the same code is scanned
 * again as the account (POST /api/v1/scans) and the page moves to that scan.
 */
function useOwnScan(stored: StoredScan | null): OwnScan {
  const auth = useAuth();
  const navigate = useNavigate();
  const account = auth.user?.profile.sub ?? null;
  const code = auth.ready && stored ? codeToScanAgain(stored, account) : null;
  const [failure, setFailure] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  // One scan per code, account and attempt, even when the effect runs twice (React's StrictMode).
  const started = useRef<string | null>(null);
  useEffect(() => {
    const run = `${code}|${account}|${attempt}`;
    if (!code || started.current === run) return;
    started.current = run;
    setFailure(null);
    auth.api.scan(code).then(
      (result) => {
        const own: StoredScan = { result, code, owner: account };
        rememberScan(own);
        navigate(`/scans/${result.scanId}`, { replace: true, state: own });
      },
      (error: unknown) => setFailure(errorSentence(error)),
    );
  }, [code, account, attempt, auth.api, navigate]);
  if (!code) return { status: 'own' };
  if (failure) return { status: 'failed', sentence: failure, retry: () => setAttempt((a) => a + 1) };
  return { status: 'scanning' };
}

function AddToFridge({ scanId, returnTo }: { scanId: string; returnTo: string }) {
  const auth = useAuth();
  const action = useAction();
  const [quantity, setQuantity] = useState(1);
  const [added, setAdded] = useState(false);
  const quantityId = useId();
  if (!auth.user) {
    return (
      <p>
        {/* Back to this result after Keycloak; the page then scans the code again as the account. */}
        <button type="button" onClick={() => void auth.signIn({ returnTo: `/scans/${returnTo}` })}>
          Sign in to add to your fridge
        </button>
      </p>
    );
  }
  if (added) {
    return (
      <Notice>
        Added to your fridge. <Link to="/fridge">Open your fridge</Link>
      </Notice>
    );
  }
  return (
    <form
      className="row"
      onSubmit={(e) => {
        e.preventDefault();
        void action.run(() => auth.api.addToFridge(scanId, quantity)).then((item) => item && setAdded(true));
      }}
    >
      <label htmlFor={quantityId}>Quantity</label>
      <input
        id={quantityId}
        className="quantity"
        type="number"
        min={1}
        max={99}
        value={quantity}
        onChange={(e) => setQuantity(Math.max(1, Number(e.target.value) || 1))}
      />
      <button type="submit" className="primary" disabled={action.busy}>
        {action.busy ? 'Adding…' : 'Add to fridge'}
      </button>
      {action.error && <ErrorMessage sentence={action.error} />}
    </form>
  );
}
