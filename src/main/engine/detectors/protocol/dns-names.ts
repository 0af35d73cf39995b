/**
 * Name helpers for the DNS detectors: the registered domain under the
 * Public Suffix List (tldts), the subdomain part left of it, and Shannon
 * entropy over characters.
 */
import { parse } from 'tldts';

export interface SplitName {
  /** Registered domain ("example.co.uk"), or the last two labels when the list has no answer. */
  registeredDomain: string;
  /** Labels left of the registered domain, dot-joined; '' when none. */
  subdomain: string;
}

/** Split a lower-case DNS name into registered domain and subdomain. Private suffixes (PSL private section) count. */
export function splitDnsName(name: string): SplitName {
  const trimmed = name.replace(/\.$/, '');
  const parsed = parse(trimmed, { allowPrivateDomains: true });
  if (parsed.domain !== null && parsed.domain !== '' && !parsed.isIp) {
    return { registeredDomain: parsed.domain, subdomain: parsed.subdomain ?? '' };
  }
  const labels = trimmed.split('.');
  if (labels.length <= 2) return { registeredDomain: trimmed, subdomain: '' };
  return { registeredDomain: labels.slice(-2).join('.'), subdomain: labels.slice(0, -2).join('.') };
}

/** Shannon entropy of the characters of `text`, bits per character (0 for ''). */
export function computeCharacterEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const character of text) counts.set(character, (counts.get(character) ?? 0) + 1);
  let entropy = 0;
  for (const value of counts.values()) {
    const probability = value / text.length;
    entropy -= probability * Math.log2(probability);
  }
  return entropy;
}

/** Length of the longest dot-separated label of `name`. */
export function findLongestLabel(name: string): number {
  let longest = 0;
  for (const label of name.split('.')) if (label.length > longest) longest = label.length;
  return longest;
}
