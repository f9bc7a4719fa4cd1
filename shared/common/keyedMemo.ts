// A memo for the few keys one message touches (its twin, its strategy): nearly always one, so the
// first entry lives in two fields and a Map is made only for a second key. Mapping allocates one of
// these per message instead of a Map, which is most of what a Map would cost at that size.

export class KeyedMemo<K, V> {
  private firstKey: K | undefined;
  private firstValue: V | undefined;
  private hasFirst = false;
  private more: Map<K, V> | undefined;

  has(key: K): boolean {
    return (this.hasFirst && this.firstKey === key) || (this.more?.has(key) ?? false);
  }

  get(key: K): V | undefined {
    if (this.hasFirst && this.firstKey === key) return this.firstValue;
    return this.more?.get(key);
  }

  forEach(visit: (value: V, key: K) => void): void {
    if (this.hasFirst) visit(this.firstValue as V, this.firstKey as K);
    this.more?.forEach(visit);
  }

  set(key: K, value: V): void {
    if (!this.hasFirst || this.firstKey === key) {
      this.firstKey = key;
      this.firstValue = value;
      this.hasFirst = true;
      return;
    }
    (this.more ??= new Map()).set(key, value);
  }
}
