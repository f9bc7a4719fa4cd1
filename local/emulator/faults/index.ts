export { FaultInjector, type FaultOptions, type FaultRequest, type FaultCounters, type TwinFault } from './faultInjector';
export { seededRandom } from '../../random';
