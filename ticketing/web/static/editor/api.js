// The JSON API, through the admin pages' login. The editor only talks to the public API, so
// it can never do what the API refuses (docs/seatmaps.md).

import { t } from "./words.js";

const { ApiError } = Podium;

// What happens when the session is over (halls.js shows the login again): set by
// editor.js, as the login form lives above this module.
let expired = () => {};
export function whenSessionExpires(then) {
  expired = then;
}

// The admin pages' login: one session for /admin and its editor in this tab, so a link
// from a hall's page opens the editor without a second login and both renew the access
// token with the same refresh token.
export const session = PodiumLogin.create("admin", { onExpired: () => expired() });
export const api = session.call;

// The fields a refusal names (problem+json `errors`).
export const errorsOf = (exc) => (exc && exc.problem && Array.isArray(exc.problem.errors) ? exc.problem.errors : []);

// The headline of a refusal: the editor's own words for 403 and 5xx, else Podium's without
// its list of fields, which the editor shows where they belong (next to the generator's
// fields, or in the problems above the drawing).
export function explain(error) {
  if (!(error instanceof ApiError)) return Podium.explain(error);
  if (error.status === 403) return t("error.forbidden");
  if (error.status >= 500) return t("error.unexpected", { status: error.status });
  return Podium.explain(new ApiError(error.status, { ...error.problem, errors: [] }));
}
