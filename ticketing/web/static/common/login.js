// The staff login that the staff pages share (admin; the box office can use it too): the
// form, the tokens kept in this tab's sessionStorage, a new access token from the refresh
// token when the old one runs out (they last 15 minutes), and logging out.
// Needs podium.js. The form keeps the ids the box office's tests know: #login-form,
// #login-email, #login-password, #login-error and the button #login.
"use strict";

/* exported PodiumLogin */
const PodiumLogin = (() => {
  const NO_RENEWAL = new Set(["/auth/login", "/auth/refresh", "/auth/logout"]);
  const { api, el, fill, t, words, explain, setToken } = Podium;

  words({
    nl: {
      "login.title": "Aanmelden", "login.email": "E-mail", "login.password": "Wachtwoord",
      "login.submit": "Aanmelden", "login.logout": "Afmelden",
      "login.expired": "Je sessie is verlopen. Meld je opnieuw aan.",
      "problem.login-failed": "E-mail of wachtwoord klopt niet.",
    },
    fr: {
      "login.title": "Connexion", "login.email": "E-mail", "login.password": "Mot de passe",
      "login.submit": "Se connecter", "login.logout": "Se déconnecter",
      "login.expired": "Votre session a expiré. Reconnectez-vous.",
      "problem.login-failed": "E-mail ou mot de passe incorrect.",
    },
    en: {
      "login.title": "Log in", "login.email": "E-mail", "login.password": "Password",
      "login.submit": "Log in", "login.logout": "Log out",
      "login.expired": "Your session has ended. Please log in again.",
      "problem.login-failed": "Wrong e-mail address or password.",
    },
  });

  // One login per `name`: it keys the tokens (podium.NAME.token, podium.NAME.refresh), so
  // pages that share a name (the admin pages and the seat-map editor) share the session
  // in a tab, and a link from one to the other needs no second login.
  function create(name, options) {
    const opts = options || {};
    const TOKEN = `podium.${name}.token`;
    const REFRESH = `podium.${name}.refresh`;
    let refreshing = null;

    function keep(tokens) {
      sessionStorage.setItem(TOKEN, tokens.access_token);
      if (tokens.refresh_token) sessionStorage.setItem(REFRESH, tokens.refresh_token);
      setToken(tokens.access_token);
    }

    function forget() {
      for (const key of [TOKEN, REFRESH]) sessionStorage.removeItem(key);
      setToken(null);
    }

    // A new access token from the refresh token; one at a time, since the refresh token
    // changes with every use.
    function refresh() {
      const token = sessionStorage.getItem(REFRESH);
      if (!token) return Promise.resolve(false);
      if (!refreshing) {
        refreshing = api("POST", "/auth/refresh", { refresh_token: token })
          .then((tokens) => { keep(tokens); return true; })
          .catch((failure) => {
            // Only a refused refresh token ends the session; a network blip or a busy
            // server keeps it, and the call fails as it is.
            if (failure.status === 400 || failure.status === 401) { forget(); return false; }
            throw failure;
          })
          .finally(() => { refreshing = null; });
      }
      return refreshing;
    }

    // Podium.api, once more with a fresh access token when the old one has run out. When
    // the session is over, `onExpired` shows the login again.
    async function call(method, path, body, callOptions) {
      try {
        return await api(method, path, body, callOptions);
      } catch (failure) {
        // Renewed for every call but those that give or end a session (GET /auth/me, which
        // a page asks first after a reload, is renewed too).
        if (failure.status !== 401 || NO_RENEWAL.has(path)) throw failure;
        if (await refresh()) return api(method, path, body, callOptions);
        if (opts.onExpired) opts.onExpired();
        throw failure;
      }
    }

    // Who is logged in (GET /auth/me), or null when nobody is.
    async function restore() {
      const token = sessionStorage.getItem(TOKEN);
      if (!token) return null;
      setToken(token);
      try {
        return await call("GET", "/auth/me");
      } catch (failure) {
        if (failure.status === 401) { forget(); return null; }
        throw failure;
      }
    }

    // The form, in `container`. `onLogin` runs once the tokens are kept.
    function form(container, formOptions) {
      const o = formOptions || {};
      const error = el("div", { id: "login-error", role: "alert" },
        o.error ? el("p", { class: "notice error" }, o.error) : null);
      const email = el("input", { id: "login-email", name: "email", type: "email",
        autocomplete: "username", required: true, "aria-describedby": "login-error" });
      const password = el("input", { id: "login-password", name: "password", type: "password",
        autocomplete: "current-password", required: true, "aria-describedby": "login-error" });
      const submit = el("button", { type: "submit", id: "login" }, t("login.submit"));
      const box = el("form", { class: "card", id: "login-form", novalidate: true,
        style: { maxWidth: "420px", margin: "2rem auto" } },
        el("h1", {}, o.title || t("login.title")),
        o.intro ? el("p", { class: "muted" }, o.intro) : null,
        el("div", { class: "field" }, el("label", { for: "login-email" }, t("login.email")), email),
        el("div", { class: "field" }, el("label", { for: "login-password" }, t("login.password")), password),
        error, submit);
      box.addEventListener("submit", async (event) => {
        event.preventDefault();
        submit.disabled = true;
        try {
          keep(await api("POST", "/auth/login", { email: email.value.trim(), password: password.value }));
        } catch (failure) {
          submit.disabled = false;
          fill(error, el("p", { class: "notice error" }, explain(failure)));
          password.select();
          return;
        }
        if (o.onLogin) await o.onLogin();
      });
      fill(container, box);
      email.focus();
      return box;
    }

    async function logout() {
      await api("POST", "/auth/logout").catch(() => {});
      forget();
    }

    return { call, restore, form, logout, forget };
  }

  return { create };
})();
