export function ErrorLine({ text, onDismiss }: { text?: string; onDismiss?: () => void }) {
  if (!text) return null;
  return (
    <div className="error-line" role="alert">
      <span>{text}</span>
      {onDismiss && (
        <button className="link" onClick={onDismiss} aria-label="Dismiss">
          ×
        </button>
      )}
    </div>
  );
}

/** A list view's load error: a notice when the engine area is unavailable here, else an error line. */
export function ListError({ error, unavailable }: { error?: string; unavailable?: boolean }) {
  if (unavailable)
    return (
      <div className="notice" role="alert">
        {error}
      </div>
    );
  return <ErrorLine text={error} />;
}
