export { compileFilter, type NotificationPredicate } from './compile';
export { legacyEventTypeNames, legacyEventTypeOf } from './legacyEventTypes';
export { FilterSyntaxError } from './tokenize';
