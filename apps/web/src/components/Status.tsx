/** Loading, empty and error states, announced to screen readers. */
export function Loading({ label = 'Loading' }: { label?: string }) {
  return (
    <p className="status loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label}…
    </p>
  );
}

export function Empty({ children }: { children: React.ReactNode }) {
  return <p className="status empty">{children}</p>;
}

export function ErrorMessage({ sentence, onRetry }: { sentence: string; onRetry?: () => void }) {
  return (
    <div className="alert" role="alert">
      <p>{sentence}</p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Notice({ children }: { children: React.ReactNode }) {
  return (
    <p className="notice" role="status" aria-live="polite">
      {children}
    </p>
  );
}
