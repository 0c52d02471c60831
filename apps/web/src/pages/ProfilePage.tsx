import { useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import type { ConsentsView, Diet, HealthProfile } from '../api/types';
import { useAuth } from '../auth/AuthProvider';
import { RequireSignIn } from '../auth/RequireSignIn';
import { ErrorMessage, Loading, Notice } from '../components/Status';
import { useAction, useAsync } from '../components/useAsync';
import { usePageTitle } from '../components/usePageTitle';
import { config } from '../config';
import { ALLERGEN_LABELS, ALLERGENS } from '../domain/allergens';

const DIET_LABELS: Record<Diet, string> = {
  vegan: 'Vegan',
  vegetarian: 'Vegetarian',
  gluten_free: 'Gluten-free',
  lactose_free: 'Lactose-free',
};
const LIMITS: { key: keyof HealthProfile['limits']; label: string; unit: string }[] = [
  { key: 'sugars', label: 'Sugars', unit: 'g' },
  { key: 'salt', label: 'Salt', unit: 'g' },
  { key: 'saturatedFat', label: 'Saturated fat', unit: 'g' },
  { key: 'fat', label: 'Fat', unit: 'g' },
  { key: 'energyKcal', label: 'Energy', unit: 'kcal' },
];
const EMPTY_PROFILE: HealthProfile = { allergens: [], diets: [], limits: {} };

export function ProfilePage() {
  usePageTitle('Your Health Profile');
  return (
    <div className="page">
      <h1>Your Health Profile</h1>
      <RequireSignIn reason="Sign in to set up a Health Profile and get personal verdicts on products.">
        <ProfileScreens />
      </RequireSignIn>
    </div>
  );
}

function ProfileScreens() {
  const { api } = useAuth();
  const consents = useAsync(() => api.consents(), [api]);
  if (consents.status === 'loading') return <Loading label="Loading your consents" />;
  if (consents.status === 'error')
    return <ErrorMessage sentence={consents.sentence} onRetry={consents.reload} />;
  const healthGranted = consents.data.consents.health_profile?.granted === true;
  return (
    <>
      {healthGranted ? (
        <ProfileEditor onWithdrawn={consents.reload} />
      ) : (
        <ConsentStep onGranted={consents.reload} />
      )}
      <AnalyticsConsent consents={consents.data} onChanged={consents.reload} />
      <ConsentHistory consents={consents.data} />
    </>
  );
}

/** Article 9 GDPR: health data needs explicit consent, given for a stated purpose. */
function ConsentStep({ onGranted }: { onGranted: () => void }) {
  const { api } = useAuth();
  const action = useAction();
  return (
    <section className="card consent" aria-labelledby="consent-title">
      <h2 id="consent-title">Before we store your Health Profile</h2>
      <p>To tell you whether a product suits you, PackyTrace stores:</p>
      <ul>
        <li>the allergens you avoid (from the 14 EU allergens),</li>
        <li>your diets (vegan, vegetarian, gluten-free, lactose-free),</li>
        <li>the limits per 100 g you set for sugars, salt, fat and energy.</li>
      </ul>
      <p>
        We use them only to compute your verdict when you scan a product. Brands never see them, and they are
        not part of any statistics. You can withdraw this consent at any time; your Health Profile is then
        deleted.
      </p>
      <p className="small">Policy version {config.healthPolicyVersion}</p>
      <button
        type="button"
        className="primary"
        disabled={action.busy}
        onClick={() =>
          void action
            .run(() => api.setConsent('health_profile', true, config.healthPolicyVersion))
            .then((r) => r !== undefined && onGranted())
        }
      >
        I agree: store my Health Profile
      </button>
      {action.error && <ErrorMessage sentence={action.error} />}
    </section>
  );
}

function ProfileEditor({ onWithdrawn }: { onWithdrawn: () => void }) {
  const { api } = useAuth();
  const stored = useAsync(async () => {
    try {
      return { profile: await api.profile(), exists: true };
    } catch (error) {
      if (error instanceof ApiError && error.code === 'profile_not_found')
        return { profile: EMPTY_PROFILE, exists: false };
      throw error;
    }
  }, [api]);
  const [draft, setDraft] = useState<HealthProfile>(EMPTY_PROFILE);
  const [saved, setSaved] = useState<string | null>(null);
  // Whether a profile is stored, as changed by this screen's own save or delete since loading.
  const [storedNow, setStoredNow] = useState<boolean | null>(null);
  const action = useAction();
  const limitId = useId();

  useEffect(() => {
    if (stored.status === 'ok') setDraft(stored.data.profile);
  }, [stored]);

  if (stored.status === 'loading') return <Loading label="Loading your Health Profile" />;
  if (stored.status === 'error') return <ErrorMessage sentence={stored.sentence} onRetry={stored.reload} />;
  const exists = storedNow ?? stored.data.exists;

  const toggle = <K extends 'allergens' | 'diets'>(key: K, value: HealthProfile[K][number]) =>
    setDraft((d) => {
      const list = d[key] as string[];
      return { ...d, [key]: list.includes(value) ? list.filter((v) => v !== value) : [...list, value] };
    });

  async function save(event: FormEvent) {
    event.preventDefault();
    setSaved(null);
    const result = await action.run(() => api.saveProfile(draft));
    if (result === undefined) return;
    setStoredNow(true);
    setSaved('Your Health Profile is saved. New scans use it for your verdict.');
  }

  async function deleteProfile() {
    if (!window.confirm('Delete your Health Profile? Scans will no longer get a personal verdict.')) return;
    const done = await action.run(async () => {
      await api.deleteProfile();
      return true;
    });
    if (done) {
      setStoredNow(false);
      setDraft(EMPTY_PROFILE);
      setSaved('Your Health Profile is deleted.');
    }
  }

  async function withdraw() {
    if (
      !window.confirm(
        'Withdraw your consent? Your Health Profile will be deleted and scans will have no personal verdict.',
      )
    )
      return;
    const done = await action.run(async () => {
      await api.setConsent('health_profile', false, config.healthPolicyVersion);
      // Personalization deletes the profile when consent is withdrawn; deleting here too makes it immediate.
      await api.deleteProfile().catch((e: unknown) => {
        if (!(e instanceof ApiError && e.status === 404)) throw e;
      });
      return true;
    });
    if (done) onWithdrawn();
  }

  return (
    <form className="card stack profile-editor" onSubmit={(e) => void save(e)} aria-labelledby="editor-title">
      <h2 id="editor-title">{exists ? 'Edit your Health Profile' : 'Set up your Health Profile'}</h2>
      <fieldset>
        <legend>Allergens you avoid</legend>
        <div className="checks">
          {ALLERGENS.map((code) => (
            <label key={code} className="check">
              <input
                type="checkbox"
                checked={draft.allergens.includes(code)}
                onChange={() => toggle('allergens', code)}
              />
              {ALLERGEN_LABELS[code]}
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend>Diets</legend>
        <div className="checks">
          {(Object.keys(DIET_LABELS) as Diet[]).map((diet) => (
            <label key={diet} className="check">
              <input
                type="checkbox"
                checked={draft.diets.includes(diet)}
                onChange={() => toggle('diets', diet)}
              />
              {DIET_LABELS[diet]}
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend>Limits per 100 g (leave empty for none)</legend>
        <div className="limits">
          {LIMITS.map((limit) => (
            <div key={limit.key}>
              <label htmlFor={`${limitId}-${limit.key}`}>
                {limit.label} ({limit.unit})
              </label>
              <input
                id={`${limitId}-${limit.key}`}
                type="number"
                inputMode="decimal"
                min={0}
                max={1000}
                step="any"
                value={draft.limits[limit.key] ?? ''}
                onChange={(e) => {
                  const value = e.target.value === '' ? undefined : Number(e.target.value);
                  setDraft((d) => ({ ...d, limits: withLimit(d.limits, limit.key, value) }));
                }}
              />
            </div>
          ))}
        </div>
      </fieldset>
      <div className="row">
        <button type="submit" className="primary" disabled={action.busy}>
          Save profile
        </button>
        {exists && (
          <button type="button" onClick={() => void deleteProfile()} disabled={action.busy}>
            Delete profile
          </button>
        )}
      </div>
      {saved && <Notice>{saved}</Notice>}
      {action.error && <ErrorMessage sentence={action.error} />}
      <hr />
      <h3>Withdraw consent</h3>
      <p className="small">
        Withdrawing deletes your Health Profile. Your scans and fridge stay; scans just get no personal
        verdict.
      </p>
      <button type="button" className="danger" onClick={() => void withdraw()} disabled={action.busy}>
        Withdraw consent and delete my profile
      </button>
    </form>
  );
}

function withLimit(
  limits: HealthProfile['limits'],
  key: keyof HealthProfile['limits'],
  value: number | undefined,
): HealthProfile['limits'] {
  const next = { ...limits };
  if (value === undefined || Number.isNaN(value)) delete next[key];
  else next[key] = value;
  return next;
}

function AnalyticsConsent({ consents, onChanged }: { consents: ConsentsView; onChanged: () => void }) {
  const { api } = useAuth();
  const action = useAction();
  const granted = consents.consents.analytics?.granted === true;
  const id = useId();
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Anonymous statistics for Brands</h2>
      <p className="small">
        With your consent, your scans and fridge use count in the aggregate figures Brands see. Brands only
        ever see counts of groups of several people, never you. Withdrawing takes you out of future figures.
      </p>
      <label className="check switch">
        <input
          type="checkbox"
          role="switch"
          checked={granted}
          disabled={action.busy}
          onChange={() =>
            void action
              .run(() => api.setConsent('analytics', !granted, config.analyticsPolicyVersion))
              .then((r) => r !== undefined && onChanged())
          }
        />
        Count me in anonymous statistics
      </label>
      {action.error && <ErrorMessage sentence={action.error} />}
    </section>
  );
}

const PURPOSE_LABELS: Record<string, string> = {
  health_profile: 'Health Profile',
  analytics: 'Anonymous statistics',
  marketing: 'Marketing',
};

function ConsentHistory({ consents }: { consents: ConsentsView }) {
  const history = [...consents.history].reverse();
  return (
    <section className="card" aria-labelledby="history-title">
      <h2 id="history-title">Consent history</h2>
      {history.length === 0 ? (
        <p>You haven't given or withdrawn any consent yet.</p>
      ) : (
        <ol className="timeline">
          {history.map((record, i) => (
            <li key={`${record.changedAt}-${i}`}>
              <time dateTime={record.changedAt}>{new Date(record.changedAt).toLocaleString()}</time>
              <span>
                {record.granted ? 'Gave' : 'Withdrew'} consent:{' '}
                {PURPOSE_LABELS[record.purpose] ?? record.purpose}
                <span className="small"> (policy {record.policyVersion})</span>
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
