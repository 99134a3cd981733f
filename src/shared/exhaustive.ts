// The `default` of every switch over a message union: it compiles only while each member has its own case, so a
// message type that one side sends and the other does not handle is a compile error, not a silent drop.
export function unhandled(value: never, what = 'message'): never {
  throw new Error(`Unhandled ${what}: ${JSON.stringify(value)}`);
}
