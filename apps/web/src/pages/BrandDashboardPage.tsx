import { useId, useState } from 'react';
import { usePageTitle } from '../components/usePageTitle';
import { Link } from 'react-router';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { BrandMetrics, Granularity, MetricPoint } from '../api/types';
import { useAuth } from '../auth/AuthProvider';
import { RequireSignIn } from '../auth/RequireSignIn';
import { BRAND_ROLE } from '../auth/roles';
import { Empty, ErrorMessage, Loading } from '../components/Status';
import { useAsync } from '../components/useAsync';
import { defaultRange, formatBucket, METRICS, suppressedCellsSentence, totals } from '../domain/metrics';

export function BrandDashboardPage() {
  usePageTitle('Brand dashboard');
  return (
    <div className="page wide">
      <h1>Brand dashboard</h1>
      <p className="row">
        <Link to="/brand/products">Edit product passports and recalls</Link>
      </p>
      <RequireSignIn
        reason="Sign in with your Brand account to see your products' figures."
        role={BRAND_ROLE}
      >
        <Dashboard />
      </RequireSignIn>
    </div>
  );
}

function Dashboard() {
  const { api } = useAuth();
  const [granularity, setGranularity] = useState<Granularity>('day');
  const [range, setRange] = useState(() => defaultRange('day', new Date()));
  const ids = { granularity: useId(), from: useId(), to: useId() };
  const metrics = useAsync(() => api.brandMetrics({ ...range, granularity }), [api, range, granularity]);
  const products = useAsync(() => api.brandProducts(), [api]);
  const names = new Map(products.status === 'ok' ? products.data.items.map((p) => [p.gtin, p.name]) : []);

  return (
    <>
      <form className="card filters" onSubmit={(e) => e.preventDefault()} aria-label="Time range">
        <div>
          <label htmlFor={ids.granularity}>Per</label>
          <select
            id={ids.granularity}
            value={granularity}
            onChange={(e) => {
              const next = e.target.value as Granularity;
              setGranularity(next);
              setRange(defaultRange(next, new Date()));
            }}
          >
            <option value="day">Day</option>
            <option value="window">Measurement window</option>
          </select>
        </div>
        <div>
          <label htmlFor={ids.from}>From</label>
          <input
            id={ids.from}
            type="date"
            value={range.from.slice(0, 10)}
            onChange={(e) =>
              e.target.value && setRange((r) => ({ ...r, from: `${e.target.value}T00:00:00.000Z` }))
            }
          />
        </div>
        <div>
          <label htmlFor={ids.to}>To</label>
          <input
            id={ids.to}
            type="date"
            value={range.to.slice(0, 10)}
            onChange={(e) =>
              e.target.value && setRange((r) => ({ ...r, to: `${e.target.value}T23:59:59.999Z` }))
            }
          />
        </div>
      </form>
      {metrics.status === 'loading' && <Loading label="Loading your figures" />}
      {metrics.status === 'error' && <ErrorMessage sentence={metrics.sentence} onRetry={metrics.reload} />}
      {metrics.status === 'ok' && (
        <MetricsView metrics={metrics.data} names={names} granularity={granularity} />
      )}
    </>
  );
}

function MetricsView({
  metrics,
  names,
  granularity,
}: {
  metrics: BrandMetrics;
  names: Map<string, string>;
  granularity: Granularity;
}) {
  return (
    <>
      <p className="notice suppressed">
        {suppressedCellsSentence(metrics.suppressedCells, metrics.minGroupSize)}
      </p>
      {metrics.series.length === 0 ? (
        <Empty>
          No figures for this period yet. Figures appear once enough people have scanned your products.
        </Empty>
      ) : (
        <div className="charts">
          {metrics.series.map((series) => (
            <ProductChart
              key={series.gtin}
              title={names.get(series.gtin) ?? `GTIN ${series.gtin}`}
              gtin={series.gtin}
              points={series.points}
              granularity={granularity}
            />
          ))}
        </div>
      )}
    </>
  );
}

function ProductChart({
  title,
  gtin,
  points,
  granularity,
}: {
  title: string;
  gtin: string;
  points: MetricPoint[];
  granularity: Granularity;
}) {
  const sum = totals(points);
  const data = points.map((p) => ({ ...p, label: formatBucket(p.t, granularity) }));
  const headingId = useId();
  return (
    <section className="card chart" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      <p className="small">
        GTIN {gtin} · {sum.scans} scans · {sum.fridgeAdds} fridge adds · {sum.consumed} consumed ·{' '}
        {sum.discarded} discarded
      </p>
      <div className="chart-box" aria-hidden="true">
        <ResponsiveContainer width="100%" height={240}>
          <LineChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -20 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
            <XAxis dataKey="label" tick={{ fontSize: 11 }} />
            <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
            <Tooltip />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            {METRICS.map((m) => (
              <Line
                key={m.key}
                type="monotone"
                dataKey={m.key}
                name={m.label}
                stroke={m.color}
                dot={false}
                strokeWidth={2}
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
      <details>
        <summary>Show as a table</summary>
        <div className="table-scroll">
          <table>
            <caption className="visually-hidden">
              {title} per {granularity}
            </caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                {METRICS.map((m) => (
                  <th key={m.key} scope="col">
                    {m.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.map((row) => (
                <tr key={row.t}>
                  <th scope="row">{row.label}</th>
                  {METRICS.map((m) => (
                    <td key={m.key}>{row[m.key]}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}
