// The house's audit log: every change made by staff (or an API token), newest first, with
// who, what, on which resource, the answer and the request id; filtered by account and
// period, a page at a time (GET /houses/{id}/audit). The filters live in the address, so
// a filtered page can be shared and the back button works.
"use strict";

(() => {
  const { el, t, words } = Podium;
  const A = Admin;
  const PAGE = 50;

  words({
    nl: {
      "nav.audit": "Logboek", "audit.title": "Logboek van wijzigingen", "audit.none": "Geen wijzigingen gevonden.",
      "audit.filter": "Zoeken", "audit.show": "Tonen", "audit.account": "Account", "audit.everyone": "Iedereen",
      "audit.since": "Vanaf", "audit.until": "Tot", "audit.when": "Wanneer", "audit.who": "Wie",
      "audit.operation": "Handeling", "audit.resource": "Gegevens", "audit.status": "Antwoord",
      "audit.request": "Verzoek", "audit.token": "API-token {id}", "audit.newer": "Nieuwere",
      "audit.older": "Oudere", "audit.entries": "Wijzigingen", "audit.pages": "Bladeren",
    },
    fr: {
      "nav.audit": "Journal", "audit.title": "Journal des modifications", "audit.none": "Aucune modification trouvée.",
      "audit.filter": "Rechercher", "audit.show": "Afficher", "audit.account": "Compte", "audit.everyone": "Tout le monde",
      "audit.since": "À partir de", "audit.until": "Jusqu'à", "audit.when": "Quand", "audit.who": "Qui",
      "audit.operation": "Opération", "audit.resource": "Données", "audit.status": "Réponse",
      "audit.request": "Requête", "audit.token": "Jeton API {id}", "audit.newer": "Plus récentes",
      "audit.older": "Plus anciennes", "audit.entries": "Modifications", "audit.pages": "Parcourir",
    },
    en: {
      "nav.audit": "Audit log", "audit.title": "Audit log", "audit.none": "No changes found.",
      "audit.filter": "Search", "audit.show": "Show", "audit.account": "Account", "audit.everyone": "Everyone",
      "audit.since": "From", "audit.until": "Until", "audit.when": "When", "audit.who": "Who",
      "audit.operation": "Operation", "audit.resource": "Resource", "audit.status": "Answer",
      "audit.request": "Request", "audit.token": "API token {id}", "audit.newer": "Newer",
      "audit.older": "Older", "audit.entries": "Changes", "audit.pages": "Pages",
    },
  });

  function address(filters, offset) {
    const q = new URLSearchParams();
    for (const [key, value] of Object.entries(filters)) if (value) q.set(key, value);
    if (offset) q.set("offset", String(offset));
    const text = q.toString();
    return `/admin/audit${text ? `?${text}` : ""}`;
  }

  function who(entry) {
    if (entry.user_email) return entry.user_email;
    if (entry.api_token_id) return t("audit.token", { id: entry.api_token_id.slice(0, 8) });
    return entry.user_id || "";
  }

  async function auditPage() {
    const house = A.state.house;
    const params = new URLSearchParams(location.search);
    const filters = { user: params.get("user") || "", since: params.get("since") || "", until: params.get("until") || "" };
    const offset = Math.max(0, parseInt(params.get("offset") || "0", 10) || 0);
    const query = new URLSearchParams({ limit: String(PAGE + 1), offset: String(offset) });
    if (filters.user) query.set("user_id", filters.user);
    if (filters.since) query.set("since", A.fromLocalInput(filters.since));
    if (filters.until) query.set("until", A.fromLocalInput(filters.until));
    const [found, members] = await Promise.all([
      A.call("GET", `/houses/${house.id}/audit?${query}`),
      A.call("GET", `/staff?house_id=${house.id}`),
    ]);
    // One more than a page is asked for: it tells whether there is an older page.
    const entries = found.slice(0, PAGE);

    const account = A.select({ id: "audit-user" }, [["", t("audit.everyone")],
      ...members.map((m) => [m.id, m.email])], filters.user);
    const since = A.timeInput({ id: "audit-since", value: filters.since });
    const until = A.timeInput({ id: "audit-until", value: filters.until });
    const search = A.form({ id: "audit-form", "aria-labelledby": "audit-filter" }, [
      el("div", { class: "form-grid" },
        A.field(t("audit.account"), account, { name: "user_id" }),
        A.field(t("audit.since"), since, { name: "since" }),
        A.field(t("audit.until"), until, { name: "until" })),
    ], t("audit.show"), async () => {
      await A.go(address({ user: account.value, since: since.value, until: until.value }, 0));
    });

    const rows = entries.map((e) => el("tr", { "data-entry": e.id },
      el("td", {}, A.longWhen(e.at)),
      el("td", {}, who(e)),
      el("td", {}, el("code", {}, e.operation)),
      el("td", {}, e.resource_type || "", e.resource_id ? el("span", { class: "muted" }, ` ${e.resource_id}`) : null),
      el("td", {}, String(e.status)),
      el("td", {}, el("code", {}, e.request_id || ""))));

    const pages = el("nav", { class: "row-flex", "aria-label": t("audit.pages") },
      offset > 0 ? el("a", { id: "audit-newer", href: address(filters, Math.max(0, offset - PAGE)) }, t("audit.newer")) : null,
      found.length > PAGE ? el("a", { id: "audit-older", href: address(filters, offset + PAGE) }, t("audit.older")) : null);

    A.page(t("audit.title"),
      el("section", { class: "card", "aria-labelledby": "audit-filter" },
        el("h2", { id: "audit-filter" }, t("audit.filter")), search),
      el("section", { class: "card", "aria-labelledby": "audit-list" },
        el("h2", { id: "audit-list", tabindex: "-1" }, t("audit.entries")),
        rows.length ? A.table(t("audit.entries"), [t("audit.when"), t("audit.who"), t("audit.operation"),
          t("audit.resource"), t("audit.status"), t("audit.request")], rows, { id: "audit-table" })
          : el("p", { class: "muted", id: "audit-none" }, t("audit.none")),
        pages));
  }

  A.route(/^\/admin\/audit$/, auditPage, "audit");
})();
