// Variables every JSONata expression can use besides its input: $body, $properties, $system,
// $deviceId, $moduleId, $component, $modelId, $messageId, $enqueuedTime.

import type { DeviceMessage } from '../message';

export function messageBindings(message: DeviceMessage): Record<string, unknown> {
  return {
    body: message.body,
    properties: message.properties,
    system: message.systemProperties,
    deviceId: message.deviceId,
    moduleId: message.moduleId,
    component: message.component,
    modelId: message.modelId,
    messageId: message.messageId,
    enqueuedTime: message.enqueuedTime,
  };
}
