// What the propagate orchestration logs through; InvocationContext satisfies it.
export interface PropagateLogger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export const silentLogger: PropagateLogger = { debug() {}, info() {}, warn() {}, error() {} };
