/**
 * Escapes text for insertion into HTML. ECharts tooltip formatters return
 * HTML, and host names, SNI and other strings decoded from packets are
 * attacker-controlled, so every such string passes through this first.
 */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}
