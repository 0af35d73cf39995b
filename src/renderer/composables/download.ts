/**
 * Saves text or a data URL as a file through an <a download> click. In the
 * browser this is a download; in Electron the main process shows its save
 * dialog for it.
 */

function clickDownloadLink(fileName: string, href: string): void {
  const link = document.createElement('a');
  link.href = href;
  link.download = fileName;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
}

/** Saves `text` as `fileName` with the given MIME type. */
export function downloadText(fileName: string, text: string, mimeType: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${mimeType};charset=utf-8` }));
  clickDownloadLink(fileName, url);
  // Revoke after the click has been handled; revoking at once cancels the download in Chromium.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Saves a `data:` URL (an ECharts PNG) as `fileName`. */
export function downloadDataUrl(fileName: string, dataUrl: string): void {
  clickDownloadLink(fileName, dataUrl);
}

/** Returns a file name stem from a capture path: "/x/y/sample.pcapng" gives "sample". */
export function captureFileStem(path: string | null): string {
  if (!path) return 'tideline';
  const base = path.split(/[\\/]/).pop() ?? 'tideline';
  const stem = base.replace(/\.(pcapng|pcap|cap)(\.gz)?$/i, '');
  return stem.replace(/[^A-Za-z0-9._-]+/g, '_') || 'tideline';
}
