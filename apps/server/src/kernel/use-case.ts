// A module's service is wiring over use-case functions that take the module's context first
// (`(ctx, …args)`); `useCase` gives one its context, keeping the rest of its signature.
export const useCase =
  <C, A extends unknown[], T>(ctx: C, f: (ctx: C, ...a: A) => T) =>
  (...a: A): T =>
    f(ctx, ...a)
