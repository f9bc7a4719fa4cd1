// Older ADT routes filtered on `$eventType` with category names; the service still accepts them.
import type { NotificationType } from '../../types';

const categories: Record<string, readonly NotificationType[]> = {
  DigitalTwinTelemetryMessages: ['microsoft.iot.telemetry'],
  DigitalTwinLifecycleNotification: ['Microsoft.DigitalTwins.Twin.Create', 'Microsoft.DigitalTwins.Twin.Delete'],
  DigitalTwinChangeNotification: ['Microsoft.DigitalTwins.Twin.Update'],
  DigitalTwinRelationshipChangeNotification: [
    'Microsoft.DigitalTwins.Relationship.Create',
    'Microsoft.DigitalTwins.Relationship.Update',
    'Microsoft.DigitalTwins.Relationship.Delete',
  ],
};

export const legacyEventTypeNames = Object.keys(categories);

export function isLegacyEventTypeName(name: string): boolean {
  return Object.hasOwn(categories, name);
}

/** The legacy category of a notification type, e.g. `DigitalTwinChangeNotification` for Twin.Update. */
export function legacyEventTypeOf(type: string): string | undefined {
  return legacyEventTypeNames.find((name) => categories[name]?.includes(type as NotificationType));
}
