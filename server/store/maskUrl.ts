/** A connection URL fit to print: the password, if any, replaced by `***`. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    // Not a URL we can parse: print nothing of it that could be a secret.
    return '(unparseable URL)';
  }
}
