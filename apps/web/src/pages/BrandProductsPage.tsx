import { useEffect, useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useAuth } from '../auth/AuthProvider';
import { RequireSignIn } from '../auth/RequireSignIn';
import { BRAND_ROLE } from '../auth/roles';
import { Empty, ErrorMessage, Loading, Notice } from '../components/Status';
import { useAction, useAsync } from '../components/useAsync';
import { usePageTitle } from '../components/usePageTitle';
import { ALLERGEN_LABELS, ALLERGENS } from '../domain/allergens';
import {
  emptyPassportForm,
  formToInput,
  missingPublishSettings,
  NUTRI_SCORE_CATEGORIES,
  NUTRIENTS,
  passportToForm,
  withPublishSettings,
  type BrandProductItem,
  type NutriScoreCategory,
  type PassportForm,
} from '../domain/passportForm';

/** Labels in the order and words of the EU nutrition declaration (Regulation (EU) No 1169/2011, Annex XV). */
const NUTRIENT_LABELS: Record<(typeof NUTRIENTS)[number], string> = {
  energyKcal: 'Energy (kcal)',
  fat: 'Fat (g)',
  saturatedFat: 'Saturates (g)',
  carbohydrates: 'Carbohydrate (g)',
  sugars: 'Sugars (g)',
  fiber: 'Fibre (g)',
  protein: 'Protein (g)',
  salt: 'Salt (g)',
};

/** The categories of the Nutri-Score 2023 algorithm (Santé publique France, 2023 update). */
const NUTRI_SCORE_CATEGORY_LABELS: Record<NutriScoreCategory, string> = {
  general: 'General foods',
  cheese: 'Cheese',
  fats_oils_nuts_seeds: 'Fats, oils, nuts and seeds',
  red_meat: 'Red meat and red meat products',
  beverage: 'Beverages',
  water: 'Water',
};

/** Use-by is about safety, best-before about quality (Regulation (EU) No 1169/2011, Art. 24). */
const EXPIRY_KINDS = [
  ['use_by', 'Use by: a safety date (fresh meat, fish, dairy)'],
  ['best_before', 'Best before: a quality date'],
] as const;

export function BrandProductsPage() {
  usePageTitle('Product passports');
  return (
    <div className="page">
      <h1>Product passports</h1>
      <p>
        <Link to="/brand">Back to the dashboard</Link>
      </p>
      <RequireSignIn
        reason="Sign in with your Brand account to edit your product passports."
        role={BRAND_ROLE}
      >
        <BrandProducts />
      </RequireSignIn>
    </div>
  );
}

function BrandProducts() {
  const { api } = useAuth();
  const products = useAsync(() => api.brandProducts(), [api]);
  const [selected, setSelected] = useState<BrandProductItem & { gtin: string }>();
  const [creating, setCreating] = useState(false);
  if (products.status === 'loading') return <Loading label="Loading your products" />;
  if (products.status === 'error')
    return <ErrorMessage sentence={products.sentence} onRetry={products.reload} />;
  const close = () => {
    setSelected(undefined);
    setCreating(false);
    products.reload();
  };
  if (selected || creating)
    return <ProductEditor gtin={selected?.gtin ?? null} listed={selected} onDone={close} />;
  return (
    <>
      <button type="button" className="primary" onClick={() => setCreating(true)}>
        Publish a new product
      </button>
      {products.data.items.length === 0 ? (
        <Empty>Your Brand has no published products yet.</Empty>
      ) : (
        <ul className="product-list" aria-label="Your products">
          {products.data.items.map((item) => (
            <li key={item.gtin}>
              <button type="button" className="link" onClick={() => setSelected(item)}>
                <strong>{item.name}</strong>
                <span className="small">GTIN {item.gtin}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function ProductEditor({
  gtin,
  listed,
  onDone,
}: {
  gtin: string | null;
  /** The product as the Brand's list returned it, with its publish settings. */
  listed?: BrandProductItem;
  onDone: () => void;
}) {
  const { api } = useAuth();
  const existing = useAsync(
    async () => (gtin ? withPublishSettings(await api.product(gtin), listed) : null),
    [api, gtin, listed],
  );
  const [form, setForm] = useState<PassportForm>(emptyPassportForm);
  const [newGtin, setNewGtin] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const action = useAction();
  const id = useId();

  useEffect(() => {
    if (existing.status === 'ok' && existing.data) setForm(passportToForm(existing.data));
  }, [existing]);

  if (existing.status === 'loading') return <Loading label="Loading the passport" />;
  if (existing.status === 'error')
    return <ErrorMessage sentence={existing.sentence} onRetry={existing.reload} />;
  const unknownSettings = existing.data ? missingPublishSettings(existing.data).length > 0 : false;

  const set = <K extends keyof PassportForm>(key: K, value: PassportForm[K]) =>
    setForm((f) => ({ ...f, [key]: value }));
  const toggle = (key: 'allergens' | 'traces', code: string) =>
    setForm((f) => ({
      ...f,
      [key]: f[key].includes(code) ? f[key].filter((c) => c !== code) : [...f[key], code],
    }));

  async function save(event: FormEvent) {
    event.preventDefault();
    setSaved(null);
    const target = gtin ?? newGtin.trim();
    if (!/^\d{8}$|^\d{12,14}$/.test(target)) {
      action.setError('Enter the GTIN as 8, 12, 13 or 14 digits.');
      return;
    }
    const mapped = formToInput(form);
    if ('problem' in mapped) {
      action.setError(mapped.problem);
      return;
    }
    const published = await action.run(() => api.publishProduct(target, mapped.input));
    if (published) setSaved(`Published ${published.name}. Shoppers see the new passport on their next scan.`);
  }

  const field = (key: 'name' | 'category' | 'quantity' | 'origin', label: string) => (
    <>
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <input
        id={`${id}-${key}`}
        value={form[key]}
        onChange={(e) => set(key, e.target.value)}
        required={key === 'name'}
      />
    </>
  );

  return (
    <>
      <form className="card stack" onSubmit={(e) => void save(e)} aria-label="Product passport">
        <h2>{gtin ? `Edit ${form.name || gtin}` : 'New product'}</h2>
        {unknownSettings && (
          <p className="alert-inline">
            The catalog doesn't show this passport's Nutri-Score category, date marking or shelf life. Enter
            them again before publishing: publishing replaces the whole passport.
          </p>
        )}
        {gtin ? (
          <p className="small">GTIN {gtin}</p>
        ) : (
          <>
            <label htmlFor={`${id}-gtin`}>GTIN</label>
            <input
              id={`${id}-gtin`}
              inputMode="numeric"
              value={newGtin}
              onChange={(e) => setNewGtin(e.target.value)}
              required
            />
          </>
        )}
        {field('name', 'Name')}
        {field('category', 'Category')}
        {field('quantity', 'Quantity (e.g. 500 g)')}
        <label htmlFor={`${id}-ingredients`}>Ingredients, one per line</label>
        <textarea
          id={`${id}-ingredients`}
          rows={5}
          value={form.ingredients}
          onChange={(e) => set('ingredients', e.target.value)}
        />
        {(['allergens', 'traces'] as const).map((key) => (
          <fieldset key={key}>
            <legend>{key === 'allergens' ? 'Contains allergens' : 'May contain traces of'}</legend>
            <div className="checks">
              {ALLERGENS.map((code) => (
                <label key={code} className="check">
                  <input
                    type="checkbox"
                    checked={form[key].includes(code)}
                    onChange={() => toggle(key, code)}
                  />
                  {ALLERGEN_LABELS[code]}
                </label>
              ))}
            </div>
          </fieldset>
        ))}
        <label htmlFor={`${id}-labels`}>
          Labels, comma separated (vegan, vegetarian, organic, gluten_free, lactose_free)
        </label>
        <input id={`${id}-labels`} value={form.labels} onChange={(e) => set('labels', e.target.value)} />
        <fieldset>
          <legend>Nutrition per 100 g</legend>
          <div className="limits">
            {NUTRIENTS.map((n) => (
              <div key={n}>
                <label htmlFor={`${id}-n-${n}`}>{NUTRIENT_LABELS[n]}</label>
                <input
                  id={`${id}-n-${n}`}
                  inputMode="decimal"
                  value={form.nutrition[n]}
                  onChange={(e) => set('nutrition', { ...form.nutrition, [n]: e.target.value })}
                  required
                />
              </div>
            ))}
          </div>
        </fieldset>
        <label htmlFor={`${id}-packaging`}>
          Packaging, one part per line: “material, recyclable” or “material, not recyclable”
        </label>
        <textarea
          id={`${id}-packaging`}
          rows={3}
          value={form.packaging}
          onChange={(e) => set('packaging', e.target.value)}
        />
        <fieldset>
          <legend>Nutri-Score</legend>
          <div className="limits">
            <div>
              <label htmlFor={`${id}-nutri-category`}>Nutri-Score category</label>
              <select
                id={`${id}-nutri-category`}
                value={form.nutriScoreCategory}
                onChange={(e) =>
                  set('nutriScoreCategory', e.target.value as PassportForm['nutriScoreCategory'])
                }
                required
              >
                <option value="" disabled>
                  Choose
                </option>
                {NUTRI_SCORE_CATEGORIES.map((category) => (
                  <option key={category} value={category}>
                    {NUTRI_SCORE_CATEGORY_LABELS[category]}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label htmlFor={`${id}-fvl`}>Fruit, vegetables, legumes (%)</label>
              <input
                id={`${id}-fvl`}
                inputMode="decimal"
                value={form.fruitVegetableLegumesPercent}
                onChange={(e) => set('fruitVegetableLegumesPercent', e.target.value)}
                required
              />
            </div>
          </div>
        </fieldset>
        <fieldset>
          <legend>Date on the pack</legend>
          <div className="checks wide">
            {EXPIRY_KINDS.map(([kind, label]) => (
              <label key={kind} className="check">
                <input
                  type="radio"
                  name={`${id}-expiry-kind`}
                  value={kind}
                  checked={form.expiryKind === kind}
                  onChange={() => set('expiryKind', kind)}
                  required
                />
                {label}
              </label>
            ))}
          </div>
          <div className="limits">
            <div>
              <label htmlFor={`${id}-shelf-life`}>Typical shelf life (days)</label>
              <input
                id={`${id}-shelf-life`}
                inputMode="numeric"
                value={form.shelfLifeDays}
                onChange={(e) => set('shelfLifeDays', e.target.value)}
                required
              />
            </div>
          </div>
        </fieldset>
        {field('origin', 'Origin')}
        <div className="row">
          <button type="submit" className="primary" disabled={action.busy}>
            {action.busy ? 'Publishing…' : 'Publish passport'}
          </button>
          <button type="button" onClick={onDone}>
            Back to the list
          </button>
        </div>
        {saved && <Notice>{saved}</Notice>}
        {action.error && <ErrorMessage sentence={action.error} />}
      </form>
      {gtin && <RecallForm gtin={gtin} />}
    </>
  );
}

function RecallForm({ gtin }: { gtin: string }) {
  const { api } = useAuth();
  const action = useAction();
  const [done, setDone] = useState<string | null>(null);
  const id = useId();
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const batch = String(data.get('batch')).trim();
    const reason = String(data.get('reason')).trim();
    const what = batch ? `batch ${batch}` : 'every batch';
    if (
      !window.confirm(
        `Recall ${what} of this product? Shoppers who scanned it or have it in their fridge are told.`,
      )
    )
      return;
    const recall = await action.run(() => api.recall(gtin, batch ? { batch, reason } : { reason }));
    if (recall) setDone(`Recall published for ${what}.`);
  }
  return (
    <form
      className="card stack recall-form"
      onSubmit={(e) => void onSubmit(e)}
      aria-labelledby={`${id}-title`}
    >
      <h2 id={`${id}-title`}>Recall</h2>
      <label htmlFor={`${id}-batch`}>Batch (leave empty to recall every batch)</label>
      <input id={`${id}-batch`} name="batch" maxLength={20} />
      <label htmlFor={`${id}-reason`}>Reason shoppers will read</label>
      <textarea id={`${id}-reason`} name="reason" rows={3} maxLength={1000} required />
      <button type="submit" className="danger" disabled={action.busy}>
        Publish recall
      </button>
      {done && <Notice>{done}</Notice>}
      {action.error && <ErrorMessage sentence={action.error} />}
    </form>
  );
}
