/**
 * Business hours in a configured IANA time zone. Local hour and weekday come
 * from Intl (which applies the zone's daylight-saving rules), cached per UTC
 * hour since every instant of one UTC hour has the same local hour in zones
 * whose offsets are whole hours.
 *
 * NOTE: zones with half-hour offsets (Asia/Kolkata) are classified by the
 * local hour at the start of each UTC hour, so half an hour at each edge of
 * the business day can be misclassified; a per-minute cache would lift it.
 */
export interface BusinessHoursSettings {
  timeZone: string;
  startHour: number;
  endHour: number;
  days: number[];
}

const weekdays: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

export class BusinessHours {
  private readonly format: Intl.DateTimeFormat;
  private readonly cache = new Map<number, boolean>();
  private readonly days: Set<number>;

  /** Throws a RangeError naming the zone when it is not a valid IANA zone. */
  constructor(private readonly settings: BusinessHoursSettings) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: settings.timeZone,
      hour: 'numeric',
      hourCycle: 'h23',
      weekday: 'short',
    });
    this.days = new Set(settings.days);
  }

  /** True when `timeUs` falls on a business day between startHour and endHour, local time. */
  isBusinessTime(timeUs: number): boolean {
    const hourIndex = Math.floor(timeUs / 3_600_000_000);
    const cached = this.cache.get(hourIndex);
    if (cached !== undefined) return cached;
    const parts = this.format.formatToParts(new Date(hourIndex * 3_600_000));
    const hour = Number(parts.find((part) => part.type === 'hour')?.value ?? '0');
    const day = weekdays[parts.find((part) => part.type === 'weekday')?.value ?? 'Sun'] ?? 0;
    const isBusiness = this.days.has(day) && hour >= this.settings.startHour && hour < this.settings.endHour;
    if (this.cache.size > 100_000) this.cache.clear();
    this.cache.set(hourIndex, isBusiness);
    return isBusiness;
  }
}
