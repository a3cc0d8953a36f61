/**
 * Links that download CSV exports (RFC 4180, formula-safe, streamed by the server). Same-origin
 * GETs: the session cookie goes with them, and a private market's file is the members' alone.
 */
export function CsvDownloads({
  title,
  files,
  testId,
}: {
  title: string;
  files: { label: string; href: string }[];
  testId: string;
}) {
  return (
    <p className="muted small csv-downloads" data-testid={testId}>
      {title}:{' '}
      {files.map((f, i) => (
        <span key={f.href}>
          {i > 0 && ' · '}
          <a href={f.href} download>
            {f.label}
          </a>
        </span>
      ))}
    </p>
  );
}
