import { useId, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useAuth } from '../auth/AuthProvider';
import { NutriScoreBadge } from '../components/NutriScoreBadge';
import { Empty, ErrorMessage, Loading } from '../components/Status';
import { useAsync } from '../components/useAsync';
import { usePageTitle } from '../components/usePageTitle';

export function SearchPage() {
  const { api } = useAuth();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  usePageTitle(q ? `Search: ${q}` : 'Search products');
  const [draft, setDraft] = useState(q);
  const inputId = useId();
  const results = useAsync(async () => (q ? api.searchProducts(q) : { items: [] }), [api, q]);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setParams(draft.trim() ? { q: draft.trim() } : {});
  }

  return (
    <div className="page">
      <h1>Search products</h1>
      <form role="search" onSubmit={onSubmit} className="row">
        <label htmlFor={inputId} className="visually-hidden">
          Product name, brand or GTIN
        </label>
        <input
          id={inputId}
          type="search"
          placeholder="Product, brand or GTIN"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
        />
        <button type="submit" className="primary">
          Search
        </button>
      </form>
      {!q && <Empty>Type a product name, a brand or a GTIN.</Empty>}
      {q && results.status === 'loading' && <Loading label="Searching" />}
      {results.status === 'error' && <ErrorMessage sentence={results.sentence} onRetry={results.reload} />}
      {q && results.status === 'ok' && results.data.items.length === 0 && (
        <Empty>No products match “{q}”.</Empty>
      )}
      {q && results.status === 'ok' && results.data.items.length > 0 && (
        <ul className="product-list" aria-label="Search results">
          {results.data.items.map((item) => (
            <li key={item.gtin}>
              <Link to={`/products/${item.gtin}`}>
                <strong>{item.name}</strong>
                <span className="small">
                  {item.brand.name}
                  {item.quantity ? ` · ${item.quantity}` : ''}
                </span>
              </Link>
              <NutriScoreBadge nutriScore={item.nutriScore} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
