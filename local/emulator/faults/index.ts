export { seededRandom } from '../../random';
export { type FaultCounters, FaultInjector, type FaultOptions, type FaultRequest, type TwinFault } from './faultInjector';
