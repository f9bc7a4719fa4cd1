// The deferred-values store in Azure: storage.bicep creates its container in the one keyless account,
// the app gets its name (DEFERRED_VALUES_CONTAINER) next to the dead-letter account's identity
// connection, and the function identity's Storage Blob Data Owner on the account covers it.
import { deferralDefaults } from '../../shared/ingest';
import { settings } from '../../shared/settings';
import { loadCompiled, moduleOf, moduleParam, resourcesOf } from './support/compiledTemplates';

const main = () => loadCompiled('main.json');

it('creates the deferred-values container in the storage account and names it in the app settings', () => {
  expect((main().variables?.names as Record<string, string>).deferredValuesContainer).toBe(deferralDefaults.container);
  const storage = moduleOf(main(), 'storage');
  expect(moduleParam(storage.deployment, 'deferredValuesContainerName')).toContain('deferredValuesContainer');
  const containers = resourcesOf(storage.template).find((r) => r.type === 'Microsoft.Storage/storageAccounts/blobServices/containers');
  expect(JSON.stringify(containers?.copy)).toContain("parameters('deferredValuesContainerName')");

  const appSettings = moduleOf(main(), 'app-settings');
  expect(moduleParam(appSettings.deployment, 'deferredValuesContainerName')).toContain('deferredValuesContainer');
  const common = (appSettings.template.variables as Record<string, Record<string, unknown>>).common ?? {};
  expect(common[settings.deferredValuesContainer.name]).toBe("[parameters('deferredValuesContainerName')]");
  expect(common[settings.deferWriteWindowSeconds.name]).toBe("[string(parameters('deferWriteWindowSeconds'))]");
  expect(common[settings.deferBuckets.name]).toBe("[string(parameters('deferBuckets'))]");
  expect(common[settings.deadLetterBlobServiceUri.name]).toBe("[parameters('storageBlobEndpoint')]");
  expect(main().parameters?.deferWriteWindowSeconds).toMatchObject({ defaultValue: deferralDefaults.windowSeconds });
  expect(main().parameters?.deferBuckets).toMatchObject({ defaultValue: deferralDefaults.buckets });
});

it('the function identity may read, write and delete its blobs (Storage Blob Data Owner on the whole account)', () => {
  const roles = moduleOf(main(), 'role-assignments').template;
  const owner = resourcesOf(roles).find(
    (r) =>
      r.type === 'Microsoft.Authorization/roleAssignments' &&
      JSON.stringify(r.properties).includes('storageBlobDataOwner') &&
      JSON.stringify(r.properties).includes('functionPrincipalId'),
  );
  expect(owner?.scope).toBe("[resourceId('Microsoft.Storage/storageAccounts', parameters('storageAccountName'))]");
});
