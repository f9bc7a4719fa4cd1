// Fills in the attributes ADT stamps on every notification: id, source, time, traceparent, sequence number.
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import type { Notification, NotificationType } from '../types';

export interface EmitInput {
  type: NotificationType;
  subject?: string;
  data: unknown;
  dataschema?: string;
  /** W3C traceparent of the request that caused the change; its trace-id is kept, the span-id is new. */
  traceparent?: string;
  /** Telemetry passes the caller's Message-Id; otherwise a UUID is generated. */
  id?: string;
  /** Appended to the instance host, e.g. `/digitaltwins/<twinId>` for telemetry. */
  sourceSuffix?: string;
  datacontenttype?: string;
  /** Overrides the event time (tests, replays); defaults to now. */
  time?: string;
}

const traceparentPattern = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-([0-9a-f]{2})$/;

export function newTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

/**
 * What ADT puts in a notification: the request's trace-id with a new span-id (the notification is
 * a new span in the caller's trace; adt-data-plane.md §9 examples), nothing else of the request's
 * trace context (no tracestate). A missing or malformed traceparent gets a fresh trace.
 */
export function notificationTraceparent(request: string | undefined): string {
  const match = request === undefined ? null : traceparentPattern.exec(request);
  if (!match) return newTraceparent();
  return `00-${match[1] as string}-${randomBytes(8).toString('hex')}-${match[2] as string}`;
}

/** ADT timestamps carry 7 fractional digits; the sub-millisecond part comes from the monotonic clock. */
export function adtTimestamp(date: Date = new Date()): string {
  const subMillisecond = Math.floor((performance.now() % 1) * 10_000)
    .toString()
    .padStart(4, '0');
  return date.toISOString().replace(/\.(\d{3})Z$/, `.$1${subMillisecond}Z`);
}

export class NotificationStamper {
  private readonly sequences = new Map<string, number>();

  constructor(private readonly host: string) {}

  stamp(input: EmitInput): Notification {
    const source = `${this.host}${input.sourceSuffix ?? ''}`;
    const sequencenumber = (this.sequences.get(source) ?? 0) + 1;
    this.sequences.set(source, sequencenumber);
    return {
      specversion: '1.0',
      id: input.id ?? randomUUID(),
      type: input.type,
      source,
      ...(input.subject !== undefined ? { subject: input.subject } : {}),
      time: input.time ?? adtTimestamp(),
      datacontenttype: input.datacontenttype ?? 'application/json',
      ...(input.dataschema !== undefined ? { dataschema: input.dataschema } : {}),
      traceparent: notificationTraceparent(input.traceparent),
      data: input.data,
      sequencenumber,
    };
  }

  /** Sequence state survives persistence so numbers keep growing after a restart. */
  exportSequences(): Record<string, number> {
    return Object.fromEntries(this.sequences);
  }

  importSequences(sequences: Record<string, number>): void {
    for (const [source, value] of Object.entries(sequences)) this.sequences.set(source, value);
  }
}
