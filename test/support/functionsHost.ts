// Test entry to the fake Functions host (the implementation is shared with the offline runner).
export { fakeFunctionsCore, installFakeFunctionsCore, loadFunctionApp, capturedProgrammingModel, type CapturedRegistration } from '../../local/runner/functionsHost';
