// Model-API errors that the shared catalogue (../errors.ts) does not carry.
import { AdtError } from '../errors';

export const modelErrors = {
  tooManyInRequest: (count: number, max: number) =>
    new AdtError(400, 'LimitExceeded', `The request contains ${count} models but at most ${max} can be uploaded per request. Split the upload into batches of ${max} or fewer (dependencies first). See service limits (https://aka.ms/adt-limits).`),
  tooManyInInstance: (total: number, max: number) =>
    new AdtError(400, 'LimitExceeded', `Uploading these models would bring the instance to ${total} models; the limit is ${max}. Delete models you no longer need first. See service limits (https://aka.ms/adt-limits).`),
  importInvalid: (why: string) => new Error(`Cannot import the saved models: ${why}. Delete the emulator's saved state or re-upload the models.`),
};
