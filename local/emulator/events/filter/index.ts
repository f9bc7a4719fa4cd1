export { compileFilter, type NotificationPredicate } from './compile';
export { FilterSyntaxError } from './tokenize';
export { legacyEventTypeOf, legacyEventTypeNames } from './legacyEventTypes';
