// A gzip body that inflates to `mebibytes` MiB of JSON (a string of spaces), built as a stream so the
// test process never holds the inflated size itself.
import { createGzip } from 'node:zlib';

export async function gzipBomb(mebibytes: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const chunks: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise((resolve) => gzip.on('end', resolve));
  const block = Buffer.alloc(1024 * 1024, 0x20);
  gzip.write('{"temperature": 1, "padding": "');
  for (let i = 0; i < mebibytes; i++) gzip.write(block);
  gzip.end('"}');
  await done;
  return Buffer.concat(chunks);
}
