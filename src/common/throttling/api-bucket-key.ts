/**
 * Where a request's API calls are counted: one bucket per authenticated user, else one per client
 * IP (requests before authentication, including every failed one). Never per route.
 */
export function apiTracker(request: { user?: { id: number }; ip: string }): string {
  return request.user ? `user:${request.user.id}` : `ip:${request.ip}`;
}

/** The storage key of a named limit's bucket (the same for the guard and the failed-auth counter). */
export function bucketKey(throttlerName: string, tracker: string): string {
  return `${throttlerName}:${tracker}`;
}
