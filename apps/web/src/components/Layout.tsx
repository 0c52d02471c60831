import { NavLink, Outlet } from 'react-router';
import { useAuth } from '../auth/AuthProvider';

export function Layout() {
  const auth = useAuth();
  const links = [
    { to: '/', label: 'Scan', end: true },
    { to: '/search', label: 'Search' },
    { to: '/fridge', label: 'Fridge' },
    { to: '/profile', label: 'Profile' },
    ...(auth.isBrandUser ? [{ to: '/brand', label: 'Brand' }] : []),
  ];
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <div className="bar">
          <NavLink to="/" className="logo" aria-label="PackyTrace home">
            <span aria-hidden="true">▦</span> PackyTrace
          </NavLink>
          <div className="account">
            {auth.user ? (
              <>
                <span className="who" title={auth.displayName ?? undefined}>
                  {auth.displayName}
                </span>
                <button type="button" onClick={() => void auth.signOut()}>
                  Sign out
                </button>
              </>
            ) : (
              <>
                <NavLink to="/register">Register</NavLink>
                <button
                  type="button"
                  className="primary"
                  onClick={() => void auth.signIn()}
                  disabled={!auth.ready}
                >
                  Sign in
                </button>
              </>
            )}
          </div>
        </div>
        <nav aria-label="Main">
          <ul>
            {links.map((link) => (
              <li key={link.to}>
                <NavLink to={link.to} end={link.end}>
                  {link.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
