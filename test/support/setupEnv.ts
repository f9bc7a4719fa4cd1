// Keep test output readable: without a Functions host, @azure/functions warns on every app.* call that
// it is in test mode. Tests that need registrations capture them with the fake core instead.
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]): void => {
  const first = typeof args[0] === 'string' ? args[0] : '';
  if (first.includes('"@azure/functions" package is in test mode') || first.includes('Failed to detect the Azure Functions runtime'))
    return;
  warn(...args);
};
