import { Link, useParams } from 'react-router';
import { useAuth } from '../auth/AuthProvider';
import { PassportView } from '../components/PassportView';
import { ErrorMessage, Loading } from '../components/Status';
import { useAsync } from '../components/useAsync';
import { usePageTitle } from '../components/usePageTitle';
import { useUserAllergens } from '../components/useUserAllergens';

/** A passport opened from search: GET /api/v1/products/{gtin} records no scan, so it has no verdict. */
export function ProductPage() {
  const { gtin = '' } = useParams();
  const { api } = useAuth();
  const product = useAsync(() => api.product(gtin), [api, gtin]);
  const userAllergens = useUserAllergens();
  usePageTitle(product.status === 'ok' ? product.data.name : 'Product passport');
  return (
    <div className="page">
      {product.status === 'loading' && <Loading label="Loading the product passport" />}
      {product.status === 'error' && <ErrorMessage sentence={product.sentence} onRetry={product.reload} />}
      {product.status === 'ok' && (
        <PassportView
          passport={product.data}
          userAllergens={userAllergens}
          actions={
            <p className="small">
              Scan this product's barcode for your personal verdict and to add it to your fridge.
            </p>
          }
        />
      )}
      <p>
        <Link to="/search">Back to search</Link>
      </p>
    </div>
  );
}
