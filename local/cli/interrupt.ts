// Ctrl+C in a local command: the first asks the command to finish what it accepted (it may be
// waiting out a redelivery backoff), the second quits at once with the usual 130.
export function onInterrupt(stop: () => void, write: (text: string) => void = (text) => process.stderr.write(text)): () => void {
  let interrupted = false;
  const handler = (): void => {
    if (interrupted) {
      write('\nStopped.\n');
      process.exit(130);
    }
    interrupted = true;
    write('\nFinishing what was accepted; press Ctrl+C again to quit now.\n');
    stop();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
