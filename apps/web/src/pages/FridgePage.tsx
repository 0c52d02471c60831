import { useId, useState } from 'react';
import type { DiscardReason, FridgeHistoryEntry, FridgeItem } from '../api/types';
import { useAuth } from '../auth/AuthProvider';
import { RequireSignIn } from '../auth/RequireSignIn';
import { Empty, ErrorMessage, Loading, Notice } from '../components/Status';
import { useAction, useAsync } from '../components/useAsync';
import { usePageTitle } from '../components/usePageTitle';
import {
  daysUntil,
  describeExpiry,
  describeHistoryEntry,
  loadWholeHistory,
  newestHistory,
  orderFridgeItems,
  undoableEventIds,
} from '../domain/fridge';

export function FridgePage() {
  usePageTitle('Your fridge');
  return (
    <div className="page">
      <h1>Your fridge</h1>
      <RequireSignIn reason="Sign in to keep track of what is in your fridge and when it expires.">
        <Fridge />
      </RequireSignIn>
    </div>
  );
}

function Fridge() {
  const { api } = useAuth();
  const fridge = useAsync(() => api.fridge(), [api]);
  const [historyVersion, setHistoryVersion] = useState(0);
  const changed = () => {
    fridge.reload();
    setHistoryVersion((v) => v + 1);
  };
  const today = new Date();
  return (
    <>
      {fridge.status === 'loading' && <Loading label="Opening your fridge" />}
      {fridge.status === 'error' && <ErrorMessage sentence={fridge.sentence} onRetry={fridge.reload} />}
      {fridge.status === 'ok' && (
        <>
          {fridge.data.expiringSoon.length > 0 && (
            <section className="card expiring" aria-labelledby="soon-title">
              <h2 id="soon-title">Expiring soon</h2>
              <ul>
                {orderFridgeItems(fridge.data.expiringSoon).map((item) => (
                  <li key={item.itemId}>
                    <strong>{item.name}</strong>: {describeExpiry(item.expiry, item.expiryKind, today)}
                  </li>
                ))}
              </ul>
            </section>
          )}
          <section aria-labelledby="items-title">
            <h2 id="items-title">In your fridge</h2>
            {fridge.data.items.length === 0 ? (
              <Empty>Your fridge is empty. Scan a product and choose “Add to fridge”.</Empty>
            ) : (
              <ul className="fridge-items">
                {orderFridgeItems(fridge.data.items).map((item) => (
                  <FridgeItemCard key={item.itemId} item={item} today={today} onChanged={changed} />
                ))}
              </ul>
            )}
          </section>
        </>
      )}
      <History version={historyVersion} onChanged={changed} />
    </>
  );
}

function FridgeItemCard({
  item,
  today,
  onChanged,
}: {
  item: FridgeItem;
  today: Date;
  onChanged: () => void;
}) {
  const { api } = useAuth();
  const action = useAction();
  const [reason, setReason] = useState<DiscardReason>(
    daysUntil(item.expiry, today) < 0 ? 'expired' : 'spoiled',
  );
  const reasonId = useId();
  const days = daysUntil(item.expiry, today);
  const urgency = item.recalled ? 'recalled' : days < 0 ? 'expired' : days <= 2 ? 'soon' : 'ok';
  return (
    <li className={`card fridge-item ${urgency}`}>
      {item.recalled && (
        <p className="alert" role="alert">
          Recalled{item.recalled.batch ? ` (batch ${item.recalled.batch})` : ''}: {item.recalled.reason}. Do
          not eat it.
        </p>
      )}
      <h3>{item.name}</h3>
      <p className="small">
        {item.brand.name}
        {item.batch ? ` · batch ${item.batch}` : ''}
      </p>
      <p className={`expiry ${urgency}`}>
        {describeExpiry(item.expiry, item.expiryKind, today)}
        {item.expirySource === 'shelf_life' && (
          <span className="small"> (estimated from typical shelf life)</span>
        )}
      </p>
      <p>
        {item.remaining} of {item.quantity} left
      </p>
      <div className="row">
        <button
          type="button"
          className="primary"
          aria-label={`Consume one ${item.name}`}
          disabled={action.busy}
          onClick={() => void action.run(() => api.consume(item.itemId, 1)).then((r) => r && onChanged())}
        >
          Consume one
        </button>
        <label htmlFor={reasonId} className="visually-hidden">
          Why discard {item.name}
        </label>
        <select id={reasonId} value={reason} onChange={(e) => setReason(e.target.value as DiscardReason)}>
          <option value="expired">Expired</option>
          <option value="spoiled">Spoiled</option>
          <option value="other">Other reason</option>
        </select>
        <button
          type="button"
          aria-label={`Discard ${item.name}`}
          disabled={action.busy}
          onClick={() =>
            void action.run(() => api.discard(item.itemId, reason)).then((r) => r && onChanged())
          }
        >
          Discard
        </button>
      </div>
      {action.error && <ErrorMessage sentence={action.error} />}
    </li>
  );
}

/** How many history entries show at first, and how many more each "Show older entries" adds. */
const HISTORY_STEP = 20;

function History({ version, onChanged }: { version: number; onChanged: () => void }) {
  const { api } = useAuth();
  // Read to the end every time: the API pages oldest first, and the newest entries matter most.
  const history = useAsync(() => loadWholeHistory((cursor) => api.fridgeHistory(cursor)), [api, version]);
  const [count, setCount] = useState(HISTORY_STEP);
  const [notice, setNotice] = useState<string | null>(null);
  const action = useAction();

  const events = history.status === 'ok' ? history.data : [];
  const { shown, older } = newestHistory(events, count);
  const undoable = undoableEventIds(events);
  const names = new Map(events.filter((e) => e.item).map((e) => [e.itemId, e.item!.name]));
  const describe = (entry: FridgeHistoryEntry) =>
    describeHistoryEntry(entry, (id) => names.get(id) ?? 'an item');

  async function undo(entry: FridgeHistoryEntry) {
    setNotice(null);
    const item = await action.run(() => api.undo(entry.eventId));
    if (!item) return;
    setNotice('Undone. A correcting entry was added to your history.');
    onChanged();
  }

  return (
    <section className="card" aria-labelledby="fridge-history-title">
      <h2 id="fridge-history-title">History</h2>
      {history.status === 'loading' && <Loading label="Loading the history" />}
      {history.status === 'error' && <ErrorMessage sentence={history.sentence} onRetry={history.reload} />}
      {history.status === 'ok' && events.length === 0 && (
        <Empty>Nothing has happened in your fridge yet.</Empty>
      )}
      {notice && <Notice>{notice}</Notice>}
      {shown.length > 0 && (
        <ol className="timeline" reversed start={events.length} aria-label="Fridge history, newest first">
          {shown.map((entry) => (
            <li key={entry.eventId} className={`event ${entry.type}`}>
              <time dateTime={entry.occurredAt}>{new Date(entry.occurredAt).toLocaleString()}</time>
              <span>{describe(entry)}</span>
              {undoable.has(entry.eventId) && (
                <button
                  type="button"
                  className="link"
                  aria-label={`Undo: ${describe(entry)}`}
                  disabled={action.busy}
                  onClick={() => void undo(entry)}
                >
                  Undo
                </button>
              )}
            </li>
          ))}
        </ol>
      )}
      {older > 0 && (
        <button type="button" onClick={() => setCount((c) => c + HISTORY_STEP)}>
          Show older entries ({older})
        </button>
      )}
      {action.error && <ErrorMessage sentence={action.error} />}
    </section>
  );
}
