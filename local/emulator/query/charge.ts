// Query Units. ADT does not publish its formula; this one is documented in QUERY.md and grows with the work done.

export interface ChargeMeter {
  /** Twins and relationships read from the store (FROM scan, seeded lookups, JOIN targets). */
  documentsRead: number;
  /** Relationships followed by JOIN ... RELATED. */
  joinHops: number;
}

export const newMeter = (): ChargeMeter => ({ documentsRead: 0, joinHops: 0 });

/** 1 QU per request + 0.01 per document read + 0.1 per JOIN hop, rounded to 2 decimals; never below 1. */
export function queryCharge(meter: ChargeMeter): number {
  return Math.round((1 + 0.01 * meter.documentsRead + 0.1 * meter.joinHops) * 100) / 100;
}
