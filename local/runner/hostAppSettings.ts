// The app settings the local host gives the function app, as local.settings.json gives them under
// `func start`. One function, so local/CORE-TOOLS.md's "against the emulator" settings can be checked
// against exactly what the local host sets (test/unit/runner/coreToolsSettings.test.ts).

import { settings } from '../../shared/settings';

/** Event hub and consumer group names the local host's Event Hubs trigger requests carry. */
export const localEventHub = { name: 'local-telemetry', consumerGroup: '$Default' } as const;

export interface LocalHostSettingsInput {
  adtUrl: string;
  pipelineConfigPath: string;
  /** From the dead-letter target (folder or Azurite) and the fault plan. */
  deadLetterSettings: Record<string, string>;
  ingestDeadlineSeconds?: number;
  /** --instances n: each instance starts at 1/n of ADT's limits. */
  instances?: number;
}

export function localHostAppSettings(input: LocalHostSettingsInput): Record<string, string> {
  return {
    [settings.adtUrl.name]: input.adtUrl,
    [settings.pipelineConfigPath.name]: input.pipelineConfigPath,
    [settings.eventHubName.name]: localEventHub.name,
    [settings.eventHubConsumerGroup.name]: localEventHub.consumerGroup,
    ...input.deadLetterSettings,
    ...(input.ingestDeadlineSeconds !== undefined ? { [settings.ingestDeadlineSeconds.name]: String(input.ingestDeadlineSeconds) } : {}),
    ...(input.instances !== undefined ? { [settings.adtMaxInstances.name]: String(input.instances) } : {}),
  };
}
