// Heap, RSS and event-loop lag of this process while the loop runs, so a fault run can state its
// memory bound and a soak run can show that nothing grows. Sampling is cheap (memoryUsage and a
// histogram Node keeps itself); the timer is unref'd so it never keeps a process alive.
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

export interface ResourceSample {
  heapUsedBytes: number;
  rssBytes: number;
  /** Event-loop delay since the previous sample: p99 and max, in ms. */
  lagP99Ms: number;
  lagMaxMs: number;
}

export interface ResourceReport {
  start: ResourceSample;
  end: ResourceSample;
  peakHeapUsedBytes: number;
  peakRssBytes: number;
  maxLagMs: number;
  samples: number;
}

export class ResourceMonitor {
  private readonly histogram: IntervalHistogram;
  private timer: NodeJS.Timeout | undefined;
  private first: ResourceSample | undefined;
  private peakHeap = 0;
  private peakRss = 0;
  private maxLag = 0;
  private count = 0;

  constructor(private readonly intervalMs = 250) {
    this.histogram = monitorEventLoopDelay({ resolution: 10 });
  }

  start(): void {
    this.histogram.enable();
    this.first = this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  /** Takes a sample now (also what the periodic timer does) and folds it into the peaks. */
  sample(): ResourceSample {
    const memory = process.memoryUsage();
    const toMs = (ns: number): number => Math.round(ns / 1e5) / 10;
    const current: ResourceSample = {
      heapUsedBytes: memory.heapUsed,
      rssBytes: memory.rss,
      lagP99Ms: toMs(this.histogram.percentile(99)),
      lagMaxMs: toMs(this.histogram.max),
    };
    this.histogram.reset();
    this.peakHeap = Math.max(this.peakHeap, current.heapUsedBytes);
    this.peakRss = Math.max(this.peakRss, current.rssBytes);
    this.maxLag = Math.max(this.maxLag, current.lagMaxMs);
    this.count++;
    return current;
  }

  stop(): ResourceReport {
    if (this.timer) clearInterval(this.timer);
    const end = this.sample();
    this.histogram.disable();
    return {
      start: this.first ?? end,
      end,
      peakHeapUsedBytes: this.peakHeap,
      peakRssBytes: this.peakRss,
      maxLagMs: this.maxLag,
      samples: this.count,
    };
  }
}

export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
