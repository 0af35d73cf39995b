/**
 * Exact conversion of capture timestamps (64-bit tick counts at a decimal or
 * binary resolution) to integer microseconds plus a nanosecond remainder,
 * using number arithmetic only so the per-packet path allocates nothing.
 */

const TWO_POW_32 = 4_294_967_296;

/**
 * Largest tick rate converted exactly: the long division keeps
 * remainder * 256 below 2^53.
 */
export const MAX_EXACT_TICKS_PER_SECOND = 2 ** 45;

/** How one interface's tick counts turn into time. */
export interface TickScale {
  ticksPerSecond: number;
  /** Nanoseconds per tick when the rate divides 1e9 (10^0..10^9, 2^0..2^9), else 0. */
  nanosecondsPerTick: number;
  /** Ticks per nanosecond when 1e9 divides the rate (10^9 and finer), else 0. */
  ticksPerNanosecond: number;
  /** Seconds added to every timestamp (pcapng if_tsoffset). */
  offsetSeconds: number;
  /** False when the rate is above MAX_EXACT_TICKS_PER_SECOND, so results are rounded. */
  isExact: boolean;
}

/** Output of a conversion, reused by the caller to avoid an allocation per packet. */
export interface ConvertedTimestamp {
  timestampUs: number;
  timestampNsRemainder: number;
}

/** Builds the scale for a pcapng if_tsresol byte: high bit set means 2^-n, else 10^-n. */
export function createTickScaleFromResolution(resolution: number, offsetSeconds: number): TickScale {
  const exponent = resolution & 0x7f;
  const isPowerOfTwo = (resolution & 0x80) !== 0;
  const ticksPerSecond = isPowerOfTwo ? 2 ** exponent : 10 ** exponent;
  return createTickScale(ticksPerSecond, offsetSeconds);
}

export function createTickScale(ticksPerSecond: number, offsetSeconds: number): TickScale {
  const nanosecondsPerTick = 1e9 % ticksPerSecond === 0 ? 1e9 / ticksPerSecond : 0;
  const ticksPerNanosecond =
    ticksPerSecond <= MAX_EXACT_TICKS_PER_SECOND && ticksPerSecond % 1e9 === 0 ? ticksPerSecond / 1e9 : 0;
  return {
    ticksPerSecond,
    nanosecondsPerTick,
    ticksPerNanosecond,
    offsetSeconds,
    isExact: ticksPerSecond <= MAX_EXACT_TICKS_PER_SECOND,
  };
}

/**
 * Converts the tick count high * 2^32 + low (both unsigned 32-bit) into `out`.
 * Returns false when the result is not exact: a rate above
 * MAX_EXACT_TICKS_PER_SECOND, or a time past 2^53 microseconds (year 2255).
 */
export function convertTicks(high: number, low: number, scale: TickScale, out: ConvertedTimestamp): boolean {
  if (!scale.isExact) {
    const seconds = (high * TWO_POW_32 + low) / scale.ticksPerSecond + scale.offsetSeconds;
    out.timestampUs = Math.floor(seconds * 1e6);
    out.timestampNsRemainder = 0;
    return false;
  }

  const divisor = scale.ticksPerSecond;
  let seconds: number;
  let remainder: number;

  // Below 2^52 the tick count and every product of the quotient are exact doubles.
  if (high < 0x100000) {
    const ticks = high * TWO_POW_32 + low;
    seconds = Math.floor(ticks / divisor);
    remainder = ticks - seconds * divisor;
    if (remainder < 0) {
      seconds -= 1;
      remainder += divisor;
    } else if (remainder >= divisor) {
      seconds += 1;
      remainder -= divisor;
    }
  } else {
    // Long division in base-256 digits keeps every intermediate below 2^53.
    seconds = 0;
    remainder = 0;
    for (let shift = 56; shift >= 0; shift -= 8) {
      const word = shift >= 32 ? high : low;
      const digit = (word >>> (shift & 31)) & 0xff;
      const current = remainder * 256 + digit;
      let quotientDigit = Math.floor(current / divisor);
      remainder = current - quotientDigit * divisor;
      if (remainder < 0) {
        quotientDigit -= 1;
        remainder += divisor;
      }
      seconds = seconds * 256 + quotientDigit;
    }
  }

  const nanoseconds = convertFractionToNanoseconds(remainder, scale);
  const microseconds = (seconds + scale.offsetSeconds) * 1e6 + Math.floor(nanoseconds / 1000);
  out.timestampUs = microseconds;
  out.timestampNsRemainder = nanoseconds % 1000;
  return Number.isSafeInteger(microseconds);
}

/** Returns floor(remainder * 1e9 / ticksPerSecond) exactly, for remainder < ticksPerSecond. */
function convertFractionToNanoseconds(remainder: number, scale: TickScale): number {
  if (scale.nanosecondsPerTick !== 0) {
    return remainder * scale.nanosecondsPerTick;
  }

  if (scale.ticksPerNanosecond !== 0) {
    let nanoseconds = Math.floor(remainder / scale.ticksPerNanosecond);
    if (nanoseconds * scale.ticksPerNanosecond > remainder) {
      nanoseconds -= 1;
    }
    return nanoseconds;
  }

  // Rates like 2^20 divide neither way: produce the nine decimal digits one at a time.
  let nanoseconds = 0;
  let rest = remainder;
  for (let digitIndex = 0; digitIndex < 9; digitIndex++) {
    rest *= 10;
    const digit = Math.floor(rest / scale.ticksPerSecond);
    rest -= digit * scale.ticksPerSecond;
    nanoseconds = nanoseconds * 10 + digit;
  }
  return nanoseconds;
}
