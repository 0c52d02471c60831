import { useId, useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import type { ScanResult } from '../api/types';
import { useAuth } from '../auth/AuthProvider';
import { PassportView } from '../components/PassportView';
import { ErrorMessage, Notice } from '../components/Status';
import { useAction } from '../components/useAsync';
import { useUserAllergens } from '../components/useUserAllergens';
import { recallScan } from '../scan/scanStore';

export function ScanResultPage() {
  const { scanId = '' } = useParams();
  const location = useLocation();
  const result = (location.state as ScanResult | null) ?? recallScan(scanId);
  const userAllergens = useUserAllergens();
  if (!result) {
    return (
      <div className="page">
        <p>This scan is no longer on this device.</p>
        <Link to="/">Scan again</Link>
      </div>
    );
  }
  return (
    <div className="page">
      <PassportView
        passport={result.passport}
        identifier={result.identifier}
        verdict={{ verdict: result.verdict, status: result.verdictStatus }}
        userAllergens={userAllergens}
        actions={<AddToFridge scanId={result.scanId} />}
      />
      <p>
        <Link to="/">Scan another product</Link>
      </p>
    </div>
  );
}

function AddToFridge({ scanId }: { scanId: string }) {
  const auth = useAuth();
  const action = useAction();
  const [quantity, setQuantity] = useState(1);
  const [added, setAdded] = useState(false);
  const quantityId = useId();
  if (!auth.user) {
    return (
      <p>
        <button type="button" onClick={() => void auth.signIn()}>
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
