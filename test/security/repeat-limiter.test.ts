import { describe, expect, it } from 'vitest';

import { createRepeatLimiter } from '../../src/main/security/repeat-limiter';

describe('createRepeatLimiter', () => {
  it('drops repeats past the limit and reports them later', () => {
    let nowMs = 0;
    const limit = createRepeatLimiter(2, 1_000, () => nowMs);
    expect(limit('wrong token')).toEqual({ shouldLog: true, suppressed: 0 });
    expect(limit('wrong token')).toEqual({ shouldLog: true, suppressed: 0 });
    expect(limit('wrong token')).toEqual({ shouldLog: false, suppressed: 1 });
    expect(limit('wrong token')).toEqual({ shouldLog: false, suppressed: 2 });
    expect(limit('foreign origin')).toEqual({ shouldLog: true, suppressed: 0 });
    nowMs = 1_000;
    expect(limit('wrong token')).toEqual({ shouldLog: true, suppressed: 2 });
  });
});
