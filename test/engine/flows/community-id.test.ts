import { describe, expect, it } from 'vitest';
import { computeCommunityId } from '../../../src/main/engine/flows/community-id';

function ipv4(text: string): Uint8Array {
  return new Uint8Array(text.split('.').map(Number));
}

// Expected values are the published baseline of the Community ID specification (seed 0).
describe('computeCommunityId', () => {
  it('matches the spec for TCP in both directions', () => {
    const forward = computeCommunityId(ipv4('128.232.110.120'), ipv4('66.35.250.204'), 6, 34855, 80, {
      hasPorts: true,
      isOneWay: false,
    });
    const reverse = computeCommunityId(ipv4('66.35.250.204'), ipv4('128.232.110.120'), 6, 80, 34855, {
      hasPorts: true,
      isOneWay: false,
    });
    expect(forward).toBe('1:LQU9qZlK+B5F3KDmev6m5PMibrg=');
    expect(reverse).toBe(forward);
  });

  it('matches the spec for UDP', () => {
    expect(
      computeCommunityId(ipv4('192.168.1.52'), ipv4('8.8.8.8'), 17, 54585, 53, { hasPorts: true, isOneWay: false }),
    ).toBe('1:d/FP5EW3wiY1vCndhwleRRKHowQ=');
  });

  it('matches the spec for ICMP echo and its reply', () => {
    // Echo request type 8 maps to counterpart 0.
    expect(
      computeCommunityId(ipv4('192.168.0.89'), ipv4('192.168.0.1'), 1, 8, 0, { hasPorts: true, isOneWay: false }),
    ).toBe('1:X0snYXpgwiv9TZtqg64sgzUn6Dk=');
    expect(
      computeCommunityId(ipv4('192.168.0.1'), ipv4('192.168.0.89'), 1, 0, 8, { hasPorts: true, isOneWay: false }),
    ).toBe('1:X0snYXpgwiv9TZtqg64sgzUn6Dk=');
  });

  it('matches the spec for one-way ICMP and portless protocols', () => {
    // Time exceeded (type 11, code 0) has no counterpart.
    expect(computeCommunityId(ipv4('10.0.0.1'), ipv4('10.0.0.2'), 1, 11, 0, { hasPorts: true, isOneWay: true })).toBe(
      '1:YHxtAirCG//0OzkcVAukqKQN9xM=',
    );
    // RSVP (46) carries no ports.
    expect(
      computeCommunityId(ipv4('10.1.12.1'), ipv4('10.1.12.2'), 46, 0, 0, { hasPorts: false, isOneWay: false }),
    ).toBe('1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=');
  });
});
