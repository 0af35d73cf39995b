/**
 * Allow-list entries of a capture: findings whose hosts match are not raised.
 * Same shape as the detection settings' `allowList`, with size limits because
 * it arrives over the contract.
 */
import { z } from 'zod';

const entrySchema = z.string().trim().min(1).max(255);
const maxEntries = 10_000;

export const allowListSchema = z.strictObject({
  /** Addresses. */
  hosts: z.array(entrySchema).max(maxEntries).default([]),
  /** Networks in CIDR notation ("10.1.0.0/16"). */
  networks: z.array(entrySchema).max(maxEntries).default([]),
  /** Domain suffixes, matched against names learned from DNS answers, HTTP Host and TLS SNI. */
  domains: z.array(entrySchema).max(maxEntries).default([]),
  /** Host pairs, either direction. */
  pairs: z.array(z.tuple([entrySchema, entrySchema])).max(maxEntries).default([]),
});

export type AllowList = z.infer<typeof allowListSchema>;
