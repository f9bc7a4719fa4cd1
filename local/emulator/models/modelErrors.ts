// Model-API errors that the shared catalogue (../errors.ts) does not carry.
import { AdtError } from '../errors';

export const modelErrors = {
  // First sentence as the real service sent it (Azure-Samples/digital-twins-explorer#42); the rest is the emulator's advice.
  tooManyInRequest: (count: number, max: number) =>
    new AdtError(
      400,
      'LimitExceeded',
      `The number of models you are trying to upload exceeds the supported limit of ${max}. Try breaking up the upload in smaller batches. (This request has ${count}; upload dependencies first.)`,
    ),
  tooManyInInstance: (total: number, max: number) =>
    new AdtError(
      400,
      'LimitExceeded',
      `Uploading these models would bring the instance to ${total} models; the limit is ${max}. Delete models you no longer need first. See service limits (https://aka.ms/adt-limits).`,
    ),
  importInvalid: (why: string) =>
    new Error(`Cannot import the saved models: ${why}. Delete the emulator's saved state or re-upload the models.`),
};
