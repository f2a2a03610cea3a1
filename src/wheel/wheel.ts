// Over 200 lines: a third is the layout comment below; the rest is one data structure (slots, overflow and entries are apart).
// TimerWheel: a hierarchical hashed timing wheel (Varghese & Lauck, 1987), laid
// out like tokio's runtime/time/wheel. Units: every time here is an integer
// tick held as a number (1 ms by default, 0.1 ms in real time: the TimeSource
// chooses; the spans below are for 1 ms); the wheel knows nothing of real time,
// callers pass "now" in (clock/ticks.ts converts from nanoseconds, rounding deadlines up).
//
//   level 5  [64 slots x 64^5 ticks ~ 12.4 d]   one rotation: 2^36 ticks ~ 795 d
//   level 4  [64 slots x 64^4 ticks ~ 4.7 h ]
//   level 3  [64 slots x 64^3 ticks ~ 4.4 min]
//   level 2  [64 slots x 64^2 ticks ~ 4.1 s ]
//   level 1  [64 slots x 64 ticks           ]
//   level 0  [64 slots x 1 tick             ]   <- nowTick
//   overflow: binary heap of deadlines in a later rotation (overflow.ts)
//
// How: an entry is filed at the level of the highest 6-bit group in which its
// deadline differs from nowTick, in the slot named by that group of the
// deadline (level.ts). Every filed slot therefore lies strictly after now at
// its level, lower levels come before higher ones, and a bitmap per level
// finds the next occupied slot with Math.clz32 (slots.ts). advance() jumps
// straight to that slot's first tick; a level-0 slot is due whole, and a
// higher slot is cascaded: its entries are re-filed one level down or more,
// those due exactly now move to the expired list. Expiry is exact to 1 tick.
// Why: schedule and cancel stay O(1) with no allocation (entries live in
// typed arrays, entries.ts), and idle time costs nothing to skip.
//
// Complexity: schedule and cancel O(1) (O(log n) for overflow entries);
// advance O(due + cascaded + occupied slots visited), and an entry cascades
// at most 5 times; nextExpiry O(1) when cached, else O(entries in the first
// occupied slot). Memory: 24 bytes per entry of capacity, plus ~3 KB fixed.
// Callbacks run with the structure consistent and may schedule or cancel; if
// one throws, the entries still due stay pending for the next advance().

import { ENTRY_LIMIT, EntryTable, IN_OVERFLOW } from './entries.ts';
import { LEVEL_COUNT, SLOTS_PER_LEVEL, WHEEL_SPAN_TICKS, levelStartTick, listIdFor, slotTicks } from './level.ts';
import { OverflowHeap } from './overflow.ts';
import { EXPIRED_LIST, SlotLists } from './slots.ts';

export { ELAPSED, TimerWheel, type TimerWheelOptions };

/** schedule()'s answer for a deadline at or before nowTick: already elapsed. */
const ELAPSED = -1;

interface TimerWheelOptions {
  /** Entries allocated up front; the table doubles when full. */
  capacity?: number;
  /** The tick the wheel starts at. */
  nowTick?: number;
}

class TimerWheel {
  readonly #entries: EntryTable;
  readonly #slots: SlotLists;
  readonly #overflow: OverflowHeap;
  #nowTick: number;
  #size = 0;
  /** nextExpiry()'s answer, or NaN when it must be recomputed. */
  #nextExpiryTick = Infinity;
  #advancing = false;

  constructor(options: TimerWheelOptions = {}) {
    const { capacity = 1024, nowTick = 0 } = options;
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > ENTRY_LIMIT) {
      throw new RangeError(`TimerWheel: capacity must be an integer in 1..${ENTRY_LIMIT}, got ${String(capacity)} (${typeof capacity})`);
    }
    if (!Number.isSafeInteger(nowTick) || nowTick < 0) {
      throw new RangeError(`TimerWheel: nowTick must be a non-negative safe integer, got ${String(nowTick)} (${typeof nowTick})`);
    }
    this.#entries = new EntryTable(capacity);
    this.#slots = new SlotLists(this.#entries);
    this.#overflow = new OverflowHeap(this.#entries);
    this.#nowTick = nowTick;
  }

  get nowTick(): number { return this.#nowTick; }
  get size(): number { return this.#size; }

  /** Files a timer; returns its handle, or ELAPSED (nothing filed) when deadlineTick <= nowTick. */
  schedule(deadlineTick: number, payload: number): number {
    if (deadlineTick <= this.#nowTick) return ELAPSED;
    if (!Number.isSafeInteger(deadlineTick) || payload >>> 0 !== payload) {
      throw new RangeError(`TimerWheel.schedule: want a safe integer deadlineTick and a u32 payload, got ${String(deadlineTick)} (${typeof deadlineTick}), ${String(payload)} (${typeof payload})`);
    }
    const entries = this.#entries;
    const index = entries.allocate(entries.nextLinks);
    entries.deadlineTicks[index] = deadlineTick;
    entries.payloads[index] = payload;
    this.#file(index, deadlineTick);
    this.#size++;
    // A stale (NaN) cache stays stale: NaN compares false.
    if (deadlineTick < this.#nextExpiryTick) this.#nextExpiryTick = deadlineTick;
    return entries.handleOf(index);
  }

  /** Unlinks the timer at once; false when the handle is stale (fired, cancelled) or unknown. */
  cancel(handle: number): boolean {
    const entries = this.#entries;
    const index = entries.indexOf(handle);
    if (index < 0) return false;
    if (entries.nextLinks[index] === IN_OVERFLOW) this.#overflow.remove(index);
    else this.#slots.unlink(index);
    if (entries.deadlineTicks[index] === this.#nextExpiryTick) this.#nextExpiryTick = NaN;
    entries.release(index, entries.nextLinks);
    this.#size--;
    return true;
  }

  /** The pending timer's deadline tick, or -1 for a stale handle. */
  deadlineOf(handle: number): number {
    const index = this.#entries.indexOf(handle);
    return index < 0 ? -1 : this.#entries.deadlineTicks[index];
  }

  /** The earliest pending deadline tick, or Infinity when nothing is pending. */
  nextExpiry(): number {
    if (Number.isNaN(this.#nextExpiryTick)) this.#nextExpiryTick = this.#findNextExpiry();
    return this.#nextExpiryTick;
  }

  /**
   * Moves time to `nowTick` (never backwards) and calls onExpire(payload) once for every
   * timer whose deadline is <= nowTick: earliest deadline first, equal deadlines in the
   * order they were scheduled (within one rotation). While onExpire runs, this.nowTick is
   * the firing timer's deadline. Returns how many fired.
   */
  advance(nowTick: number, onExpire: (payload: number) => void): number {
    if (!Number.isSafeInteger(nowTick)) {
      throw new RangeError(`TimerWheel.advance: nowTick must be a safe integer, got ${String(nowTick)} (${typeof nowTick})`);
    }
    if (this.#advancing) throw new Error('TimerWheel.advance: called again from inside onExpire');
    this.#advancing = true;
    let fired = 0;
    try {
      do fired += this.#fireExpired(onExpire);
      while (this.#stepToward(nowTick));
      if (nowTick > this.#nowTick) this.#nowTick = nowTick;
    } finally {
      this.#advancing = false;
    }
    return fired;
  }

  #file(index: number, deadlineTick: number): void {
    const listId = listIdFor(this.#nowTick, deadlineTick);
    if (listId < 0) this.#overflow.push(index);
    else this.#slots.append(listId, index);
  }

  /**
   * Moves nowTick to the next tick (<= targetTick) where filed entries must move, and moves
   * them: down the wheel, or onto the expired list. False when nothing is due by targetTick.
   */
  #stepToward(targetTick: number): boolean {
    const slots = this.#slots;
    const listId = slots.firstOccupied();
    if (listId >= 0) {
      const level = Math.floor(listId / SLOTS_PER_LEVEL);
      const slotStartTick = levelStartTick(this.#nowTick, level) + (listId - level * SLOTS_PER_LEVEL) * slotTicks(level);
      if (slotStartTick > targetTick) return false;
      this.#nowTick = slotStartTick;
      if (level === 0) {
        slots.moveAll(listId, EXPIRED_LIST);
      } else {
        // No callback runs during a cascade, so the detached chain cannot change under us;
        // its entries only move down, never to the overflow.
        const { nextLinks, deadlineTicks } = this.#entries;
        for (let index = slots.detach(listId); index >= 0;) {
          const next = nextLinks[index];
          const deadlineTick = deadlineTicks[index];
          slots.append(deadlineTick <= slotStartTick ? EXPIRED_LIST : listIdFor(slotStartTick, deadlineTick), index);
          index = next;
        }
      }
    } else {
      const overflow = this.#overflow;
      const first = overflow.peek();
      if (first < 0) return false;
      const rotationStartTick = levelStartTick(this.#entries.deadlineTicks[first], LEVEL_COUNT - 1);
      if (rotationStartTick > targetTick) return false;
      this.#nowTick = rotationStartTick;
      const rotationEndTick = rotationStartTick + WHEEL_SPAN_TICKS;
      const { deadlineTicks } = this.#entries;
      while (overflow.size > 0 && deadlineTicks[overflow.peek()] < rotationEndTick) {
        const deadlineTick = deadlineTicks[overflow.peek()];
        const index = overflow.pop();
        this.#slots.append(deadlineTick <= rotationStartTick ? EXPIRED_LIST : listIdFor(rotationStartTick, deadlineTick), index);
      }
    }
    this.#nextExpiryTick = NaN;
    return true;
  }

  #fireExpired(onExpire: (payload: number) => void): number {
    const slots = this.#slots;
    let fired = 0;
    for (let index = slots.shift(EXPIRED_LIST); index >= 0; index = slots.shift(EXPIRED_LIST)) {
      const payload = this.#entries.payloads[index];
      // Released before the callback runs, so a throw cannot make it fire twice.
      this.#entries.release(index, this.#entries.nextLinks);
      this.#size--;
      this.#nextExpiryTick = NaN;
      fired++;
      onExpire(payload);
    }
    return fired;
  }

  #findNextExpiry(): number {
    const { deadlineTicks } = this.#entries;
    // Entries left on the expired list by a throwing callback are all due at nowTick.
    const expired = this.#slots.head(EXPIRED_LIST);
    if (expired >= 0) return deadlineTicks[expired];
    const listId = this.#slots.firstOccupied();
    if (listId < 0) {
      const first = this.#overflow.peek();
      return first < 0 ? Infinity : deadlineTicks[first];
    }
    // The first occupied slot holds the earliest deadlines; a level-0 slot is one tick.
    if (listId < SLOTS_PER_LEVEL) return levelStartTick(this.#nowTick, 0) + listId;
    return this.#slots.earliestDeadline(listId);
  }
}
