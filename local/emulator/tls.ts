// The emulator's TLS identity: a self-signed certificate for 127.0.0.1 and localhost, generated at start
// or loaded from a directory (cert.pem + key.pem) so a long-running instance keeps one CA for clients.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { generate } from 'selfsigned';

export interface TlsIdentity {
  cert: string;
  key: string;
}

export async function generateIdentity(): Promise<TlsIdentity> {
  const notAfterDate = new Date(Date.now() + 365 * 24 * 3600e3);
  const pems = await generate([{ name: 'commonName', value: 'ADT emulator (localhost)' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** Loads cert.pem/key.pem from `dir`; generates and saves them there when absent. */
export async function loadOrCreateIdentity(dir: string): Promise<TlsIdentity> {
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  if (existsSync(certPath) && existsSync(keyPath)) {
    return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
  }
  const identity = await generateIdentity();
  mkdirSync(dir, { recursive: true });
  writeFileSync(certPath, identity.cert);
  writeFileSync(keyPath, identity.key, { mode: 0o600 });
  return identity;
}
