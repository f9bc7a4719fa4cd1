// Test entry to the fake Functions host (the implementation is shared with the offline runner).
export {
  capturedProgrammingModel,
  type CapturedRegistration,
  fakeFunctionsCore,
  installFakeFunctionsCore,
  loadFunctionApp,
} from '../../local/runner/functionsHost';
