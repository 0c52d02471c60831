import { useId, useState, type FormEvent } from 'react';
import { usePageTitle } from '../components/usePageTitle';
import { useAuth } from '../auth/AuthProvider';
import { ErrorMessage, Notice } from '../components/Status';
import { useAction } from '../components/useAsync';

/** Registration goes through the Identity service (POST /api/v1/accounts), then Keycloak's sign-in page. */
export function RegisterPage() {
  usePageTitle('Create an account');
  const auth = useAuth();
  const action = useAction();
  const [registeredEmail, setRegisteredEmail] = useState<string | null>(null);
  const ids = { email: useId(), password: useId(), name: useId() };

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get('email')).trim();
    const displayName = String(form.get('displayName')).trim();
    const created = await action.run(() =>
      auth.api.register({
        email,
        password: String(form.get('password')),
        ...(displayName ? { displayName } : {}),
      }),
    );
    if (created) {
      setRegisteredEmail(created.email);
      await auth.signIn({ loginHint: created.email, returnTo: '/profile' });
    }
  }

  if (auth.user) return <Notice>You're signed in already.</Notice>;
  return (
    <div className="page narrow">
      <h1>Create an account</h1>
      <p className="lead">
        An account keeps your fridge and, if you choose, a Health Profile for personal verdicts.
      </p>
      <form className="stack card" onSubmit={(e) => void onSubmit(e)}>
        <label htmlFor={ids.email}>Email</label>
        <input id={ids.email} name="email" type="email" autoComplete="email" required />
        <label htmlFor={ids.password}>Password</label>
        <input
          id={ids.password}
          name="password"
          type="password"
          autoComplete="new-password"
          minLength={10}
          required
          aria-describedby={`${ids.password}-hint`}
        />
        <p id={`${ids.password}-hint`} className="small">
          At least 10 characters, and not your email address.
        </p>
        <label htmlFor={ids.name}>Name (optional)</label>
        <input id={ids.name} name="displayName" autoComplete="nickname" maxLength={100} />
        <button type="submit" className="primary" disabled={action.busy}>
          {action.busy ? 'Creating your account…' : 'Create account'}
        </button>
        {action.error && <ErrorMessage sentence={action.error} />}
        {registeredEmail && <Notice>Account created. Taking you to sign in…</Notice>}
      </form>
    </div>
  );
}
