import { lazy, Suspense, type ReactNode } from 'react';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { AuthProvider } from './auth/AuthProvider';
import { Layout } from './components/Layout';
import { Loading } from './components/Status';
import { CallbackPage } from './pages/CallbackPage';
import { FridgePage } from './pages/FridgePage';
import { NotFoundPage } from './pages/NotFoundPage';
import { ProductPage } from './pages/ProductPage';
import { ProfilePage } from './pages/ProfilePage';
import { RegisterPage } from './pages/RegisterPage';
import { ScanPage } from './pages/ScanPage';
import { ScanResultPage } from './pages/ScanResultPage';
import { SearchPage } from './pages/SearchPage';

// Brand screens (and the chart library) load only for those who open them.
const BrandDashboardPage = lazy(() =>
  import('./pages/BrandDashboardPage').then((m) => ({ default: m.BrandDashboardPage })),
);
const BrandProductsPage = lazy(() =>
  import('./pages/BrandProductsPage').then((m) => ({ default: m.BrandProductsPage })),
);
const later = (page: ReactNode) => (
  <Suspense fallback={<Loading label="Loading the page" />}>{page}</Suspense>
);

const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { path: '/', element: <ScanPage /> },
      { path: '/scans/:scanId', element: <ScanResultPage /> },
      { path: '/search', element: <SearchPage /> },
      { path: '/products/:gtin', element: <ProductPage /> },
      { path: '/register', element: <RegisterPage /> },
      { path: '/callback', element: <CallbackPage /> },
      { path: '/profile', element: <ProfilePage /> },
      { path: '/fridge', element: <FridgePage /> },
      { path: '/brand', element: later(<BrandDashboardPage />) },
      { path: '/brand/products', element: later(<BrandProductsPage />) },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);

export function App() {
  return (
    <AuthProvider>
      <RouterProvider router={router} />
    </AuthProvider>
  );
}
