import type { ReactNode } from 'react';
import { Loading } from '../components/Status';
import { useAuth } from './AuthProvider';

/** Shows `children` to signed-in users; others get a sentence and a sign-in button, not a redirect loop. */
export function RequireSignIn({
  children,
  reason,
  role,
}: {
  children: ReactNode;
  reason: string;
  role?: string;
}) {
  const auth = useAuth();
  if (!auth.ready) return <Loading label="Checking your session" />;
  if (!auth.user) {
    return (
      <section className="card">
        <p>{reason}</p>
        <button type="button" className="primary" onClick={() => void auth.signIn()}>
          Sign in
        </button>
      </section>
    );
  }
  if (role && !auth.roles.includes(role)) {
    return (
      <section className="card" role="alert">
        <p>This page is for Brand users. Your account doesn't have access to it.</p>
      </section>
    );
  }
  return <>{children}</>;
}
