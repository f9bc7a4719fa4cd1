// Picks the dead-letter sink from app settings; the offline runner builds a FileDeadLetterSink itself.

import type { TokenCredential } from '@azure/identity';

import { readSetting } from '../settings';
import { BlobDeadLetterSink } from './blobSink';
import { FileDeadLetterSink } from './fileSink';
import type { DeadLetterSink } from './sink';

/** `credential`: the worker's one credential, asked for only when the identity-based blob sink is configured. */
export function deadLetterSinkFromSettings(credential: () => TokenCredential, env: NodeJS.ProcessEnv = process.env): DeadLetterSink {
  const container = readSetting('deadLetterContainer', env) ?? 'dead-letters';
  const connectionString = readSetting('deadLetterStorage', env);
  const blobServiceUri = readSetting('deadLetterBlobServiceUri', env);
  const directory = readSetting('deadLetterDirectory', env);
  if (blobServiceUri) return new BlobDeadLetterSink({ blobServiceUri, credential: credential() }, container);
  if (connectionString) return new BlobDeadLetterSink({ connectionString }, container);
  if (directory) return new FileDeadLetterSink(directory);
  throw new Error(
    'No dead-letter storage is configured. Set DeadLetterStorage__blobServiceUri (managed identity, in Azure), DeadLetterStorage (a connection string, e.g. UseDevelopmentStorage=true with Azurite) or DEAD_LETTER_DIRECTORY (offline runner).',
  );
}
