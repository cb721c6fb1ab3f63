export function ErrorLine({ text, onDismiss }: { text?: string; onDismiss?: () => void }) {
  if (!text) return null;
  return (
    <div className="error-line" role="alert">
      <span>{text}</span>
      {onDismiss && <button className="link" onClick={onDismiss} aria-label="Dismiss">×</button>}
    </div>
  );
}
