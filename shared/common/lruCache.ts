// The one bounded map of the core: least recently used entries go first once `capacity` is reached,
// and entries may expire. Map iteration order is insertion order, so re-inserting on read keeps the
// least recently used entry first in line for eviction. Every per-process memory (twin copies,
// twin-id look-ups, hop-guard counts, parent links) is bounded by one of these.

import { type Clock, systemClock } from './clock';

export interface LruCacheOptions<K = unknown, V = unknown> {
  /** Entries kept at most; the least recently used is evicted beyond it. */
  capacity: number;
  /** Default lifetime of an entry; undefined = until evicted. */
  ttlMs?: number;
  clock?: Pick<Clock, 'now'>;
  /** Told about each entry evicted for capacity (not about deletes, replacements or expiry). */
  onEvict?: (key: K, value: V) => void;
}

export class LruCache<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAt: number }>();
  private readonly capacity: number;
  private readonly ttlMs: number | undefined;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly onEvict: ((key: K, value: V) => void) | undefined;

  constructor(options: LruCacheOptions<K, V>) {
    if (!(options.capacity >= 1)) throw new Error(`An LRU cache needs a capacity of at least 1, got ${options.capacity}.`);
    this.capacity = options.capacity;
    this.ttlMs = options.ttlMs;
    this.clock = options.clock ?? systemClock;
    this.onEvict = options.onEvict;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.clock.now()) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Present and not expired, without making the entry more recent. */
  has(key: K): boolean {
    const entry = this.entries.get(key);
    return entry !== undefined && entry.expiresAt > this.clock.now();
  }

  /** `ttlMs` overrides the cache's default lifetime for this entry; 0 or less stores nothing. */
  set(key: K, value: V, ttlMs: number | undefined = this.ttlMs): void {
    this.entries.delete(key);
    if (ttlMs !== undefined && ttlMs <= 0) return;
    this.entries.set(key, { value, expiresAt: ttlMs === undefined ? Number.POSITIVE_INFINITY : this.clock.now() + ttlMs });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      const evicted = this.entries.get(oldest.value);
      this.entries.delete(oldest.value);
      if (evicted && this.onEvict && evicted.expiresAt > this.clock.now()) this.onEvict(oldest.value, evicted.value);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
