/** Text from the wire made safe for an alert's title and reason. */

/** Replace characters outside printable ASCII with "?" and cut to `maxLength`, so a reason never carries raw bytes or control characters from traffic. */
export function toPrintable(text: string, maxLength = 120): string {
  const cut = text.length > maxLength ? `${text.slice(0, maxLength)}...` : text;
  return cut.replace(/[^\x20-\x7e]/g, '?');
}
