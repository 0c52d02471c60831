import { useEffect, useRef } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { useAuth } from '../auth/AuthProvider';

export function Layout() {
  const auth = useAuth();
  const main = useMoveFocusOnNavigation();
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
      <main id="main" tabIndex={-1} ref={main}>
        <Outlet />
      </main>
    </>
  );
}

/**
 * After a client-side navigation, focus goes to <main>, as a page load would put it at the start:
 * otherwise it stays on the link just used and a screen reader announces nothing of the new screen
 * (WCAG 2.2, 2.4.3 Focus Order). Not on the first load, where the browser already starts at the top.
 */
function useMoveFocusOnNavigation() {
  const { pathname } = useLocation();
  const main = useRef<HTMLElement>(null);
  const shown = useRef<string | null>(null);
  useEffect(() => {
    const previous = shown.current;
    shown.current = pathname;
    if (previous === null || previous === pathname) return;
    main.current?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }, [pathname]);
  return main;
}
