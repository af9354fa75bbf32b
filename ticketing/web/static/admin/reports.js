// The reports of a house (/admin/reports): daily sales, payment mix and a performance's
// sales so far, each a chart drawn by the server (SVG, inlined so that screen readers get
// its title and description) with the same figures in a table beside it; the VAT summary
// of the month and the figures per performance; the daily sales as CSV and XLSX. The
// house, the period and the performance live in the address, so a report can be shared.
"use strict";

(() => {
  const { el, t, words, explain, ApiError } = Podium;
  const A = Admin;
  const SVG_NS = "http://www.w3.org/2000/svg";
  const LOCALES = { nl: "nl-BE", fr: "fr-BE", en: "en-GB" };
  const number = (value) => new Intl.NumberFormat(LOCALES[Podium.lang]).format(value);

  words({
    nl: {
      "nav.reports": "Rapporten", "reports.title": "Rapporten", "reports.choose": "Kiezen",
      "reports.show": "Tonen", "reports.house": "Huis", "reports.from": "Van", "reports.to": "Tot en met",
      "reports.performance": "Voorstelling", "reports.no_performance": "Geen voorstellingen",
      "reports.daily": "Dagverkoop", "reports.payments": "Betaalwijzen",
      "reports.cumulative": "Verkoop van de voorstelling", "reports.vat": "Btw-overzicht van {month}",
      "reports.performances": "Per voorstelling", "reports.total": "Totaal", "reports.none": "Geen gegevens.",
      "reports.figures": "De cijfers van de grafiek", "reports.download": "Downloaden",
      "reports.csv": "Dagverkoop als CSV", "reports.xlsx": "Dagverkoop als Excel (XLSX)",
      "reports.bad_day": "Typ een datum als dd/mm/jjjj.", "reports.order": "De einddatum komt na de begindatum.",
      "reports.unavailable": "Niet beschikbaar: {reason}",
      "method.cash": "Contant", "method.card_terminal": "Betaalterminal", "method.invoice": "Factuur",
      "method.online": "Online", "method.unknown": "Onbekend",
      "col.date": "Datum", "col.tickets": "Tickets", "col.gross_cents": "Bruto", "col.vat_cents": "Btw",
      "col.net_cents": "Netto", "col.payment_method": "Betaalwijze", "col.payments": "Betalingen",
      "col.taken_cents": "Ontvangen", "col.refunded_cents": "Terugbetaald", "col.cumulative": "Opgeteld",
      "col.capacity": "Capaciteit",
    },
    fr: {
      "nav.reports": "Rapports", "reports.title": "Rapports", "reports.choose": "Choisir",
      "reports.show": "Afficher", "reports.house": "Maison", "reports.from": "Du", "reports.to": "Au",
      "reports.performance": "Représentation", "reports.no_performance": "Aucune représentation",
      "reports.daily": "Ventes par jour", "reports.payments": "Moyens de paiement",
      "reports.cumulative": "Ventes de la représentation", "reports.vat": "Récapitulatif TVA de {month}",
      "reports.performances": "Par représentation", "reports.total": "Total", "reports.none": "Pas de données.",
      "reports.figures": "Les chiffres du graphique", "reports.download": "Télécharger",
      "reports.csv": "Ventes par jour en CSV", "reports.xlsx": "Ventes par jour en Excel (XLSX)",
      "reports.bad_day": "Tapez une date comme jj/mm/aaaa.", "reports.order": "La date de fin suit la date de début.",
      "reports.unavailable": "Indisponible : {reason}",
      "method.cash": "Espèces", "method.card_terminal": "Terminal de paiement", "method.invoice": "Facture",
      "method.online": "En ligne", "method.unknown": "Inconnu",
      "col.date": "Date", "col.tickets": "Billets", "col.gross_cents": "Brut", "col.vat_cents": "TVA",
      "col.net_cents": "Net", "col.payment_method": "Moyen de paiement", "col.payments": "Paiements",
      "col.taken_cents": "Encaissé", "col.refunded_cents": "Remboursé", "col.cumulative": "Cumulé",
      "col.capacity": "Capacité",
    },
    en: {
      "nav.reports": "Reports", "reports.title": "Reports", "reports.choose": "Choose",
      "reports.show": "Show", "reports.house": "House", "reports.from": "From", "reports.to": "Until",
      "reports.performance": "Performance", "reports.no_performance": "No performances",
      "reports.daily": "Daily sales", "reports.payments": "Payment methods",
      "reports.cumulative": "Sales of the performance", "reports.vat": "VAT summary of {month}",
      "reports.performances": "Per performance", "reports.total": "Total", "reports.none": "No data.",
      "reports.figures": "The chart's figures", "reports.download": "Download",
      "reports.csv": "Daily sales as CSV", "reports.xlsx": "Daily sales as Excel (XLSX)",
      "reports.bad_day": "Type a date as dd/mm/yyyy.", "reports.order": "The last day comes after the first.",
      "reports.unavailable": "Not available: {reason}",
      "method.cash": "Cash", "method.card_terminal": "Card terminal", "method.invoice": "Invoice",
      "method.online": "Online", "method.unknown": "Unknown",
      "col.date": "Date", "col.tickets": "Tickets", "col.gross_cents": "Gross", "col.vat_cents": "VAT",
      "col.net_cents": "Net", "col.payment_method": "Payment method", "col.payments": "Payments",
      "col.taken_cents": "Taken", "col.refunded_cents": "Refunded", "col.cumulative": "Added up",
      "col.capacity": "Capacity",
    },
  });

  // ---- the period ------------------------------------------------------------------------
  function thisMonth() {
    const today = Podium.brusselsDay();
    const [year, month] = today.split("-").map(Number);
    const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
    return { from: `${today.slice(0, 8)}01`, to: `${today.slice(0, 8)}${String(last).padStart(2, "0")}` };
  }

  // "december 2026": the month of a day, in the page's language.
  function monthName(day) {
    const [year, month] = day.split("-").map(Number);
    return new Intl.DateTimeFormat(LOCALES[Podium.lang], { month: "long", year: "numeric", timeZone: "UTC" })
      .format(new Date(Date.UTC(year, month - 1, 1)));
  }

  function address(choice) {
    const q = new URLSearchParams();
    for (const [key, value] of Object.entries(choice)) if (value) q.set(key, value);
    return `/admin/reports?${q}`;
  }

  // The house's performances with their event's title (read event by event, as the door
  // devices' page does: the API has no list of performances).
  async function performancesOf(houseId) {
    const events = await A.call("GET", `/events?house_id=${houseId}&limit=200`);
    const details = await Promise.all(events.map((e) => A.call("GET", `/events/${e.id}`)));
    const out = [];
    for (const event of details) {
      for (const perf of event.performances) out.push({ id: perf.id, startsAt: perf.starts_at, title: Podium.localized(event.title) });
    }
    return out.sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  }

  // The performance to show: the one asked, else the next one to come, else the last.
  function defaultPerformance(perfs) {
    const now = new Date().toISOString();
    const next = perfs.find((p) => p.startsAt >= now);
    return next || perfs[perfs.length - 1] || null;
  }

  // ---- the figures -------------------------------------------------------------------------
  const NUMERIC = new Set(["count", "cents", "rate", "running"]);

  function label(column) {
    const key = `col.${column.key}`;
    const known = t(key);
    return known !== key ? known : column.label;
  }

  function method(value) {
    if (!value) return t("method.unknown");
    const key = `method.${value}`;
    return t(key) !== key ? t(key) : value;
  }

  function cell(column, value) {
    if (value === null || value === undefined || value === "") return column.kind === "text" ? t("form.none") : "";
    switch (column.kind) {
      case "date": return Podium.formatDate(String(value).slice(0, 10));
      case "cents": return Podium.money(Number(value));
      case "count": case "running": return number(Number(value));
      case "rate": return `${number(Number(value) / 100)} %`;
      default: return column.key === "payment_method" ? method(value) : String(value);
    }
  }

  // A report as a table: its title as caption, a header per column, the first column of a
  // row as its header, and the totals of the summed columns in the footer.
  function reportTable(report, id) {
    const columns = report.columns;
    const num = (c) => (NUMERIC.has(c.kind) ? "num" : null);
    if (!report.rows.length) return el("p", { class: "muted", id: `${id}-none` }, t("reports.none"));
    const rows = report.rows.map((row) => el("tr", {}, columns.map((c, i) => (i === 0
      ? el("th", { scope: "row", class: num(c) }, cell(c, row[c.key]))
      : el("td", { class: num(c), "data-key": c.key }, cell(c, row[c.key]))))));
    const totals = report.totals || {};
    const foot = Object.keys(totals).length ? el("tfoot", {}, el("tr", {}, columns.map((c, i) => (i === 0
      ? el("th", { scope: "row" }, t("reports.total"))
      : el("td", { class: num(c), "data-key": c.key }, c.key in totals ? cell(c, totals[c.key]) : ""))))) : null;
    // The wrapper scrolls a wide table sideways on a narrow screen: it takes the keyboard
    // (arrow keys scroll it) and is named by the table's caption.
    return el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-labelledby": `${id}-caption` },
      el("table", { id, class: "report-table" },
        el("caption", { id: `${id}-caption` }, report.title),
        el("thead", {}, el("tr", {}, columns.map((c) => el("th", { scope: "col", class: num(c) }, label(c))))),
        el("tbody", {}, rows), foot));
  }

  // Our own server's SVG, parsed as XML and brought into the page as nodes (never as
  // markup in innerHTML); anything that could run or load is dropped all the same.
  function inlineSvg(text) {
    const doc = new DOMParser().parseFromString(text, "image/svg+xml");
    const root = doc.documentElement;
    if (root.namespaceURI !== SVG_NS || root.localName !== "svg" || doc.getElementsByTagName("parsererror").length) {
      throw new Error("not an SVG image");
    }
    for (const bad of [...root.querySelectorAll("script, style, foreignObject, image, use, a")]) bad.remove();
    for (const node of [root, ...root.querySelectorAll("*")]) {
      for (const attribute of [...node.attributes]) {
        if (/^on|href$|^style$/i.test(attribute.name)) node.removeAttribute(attribute.name);
      }
    }
    return document.importNode(root, true);
  }

  const settle = (promise) => promise.then((value) => ({ value }), (error) => ({ error }));
  const unavailable = (error) => el("p", { class: "notice error" }, t("reports.unavailable", { reason: explain(error) }));

  // A chart and its table side by side (stacked on a narrow screen).
  function pair(name, chart, report) {
    let drawing;
    try {
      drawing = chart.error ? unavailable(chart.error) : el("div", { class: "chart", id: `chart-${name}` }, inlineSvg(chart.value));
    } catch (failure) {
      drawing = unavailable(failure);
    }
    const table = report.error ? unavailable(report.error) : reportTable(report.value, `table-${name}`);
    return el("div", { class: "report-pair" }, drawing, el("div", { class: "report-figures" }, table));
  }

  function card(id, title, ...children) {
    return el("section", { class: "card", id: `section-${id}`, "aria-labelledby": `heading-${id}` },
      el("h2", { id: `heading-${id}` }, title), ...children);
  }

  // ---- downloads ---------------------------------------------------------------------------
  // The export needs the login's bearer token, which a plain link cannot send: the file is
  // fetched with it and handed to the browser as a download.
  async function fetchFile(path) {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const response = await fetch(path, { headers: {
        Authorization: `Bearer ${sessionStorage.getItem("podium.admin.token")}` } });
      if (response.ok) return response.blob();
      // Once: a run-out access token is renewed through the login's own call.
      if (response.status === 401 && attempt === 0 && await A.call("GET", "/auth/me").catch(() => null)) continue;
      const type = response.headers.get("content-type") || "";
      throw new ApiError(response.status, type.includes("json") ? await response.json() : {});
    }
    throw new ApiError(401, {});
  }

  function downloadLink(id, path, file, text) {
    const link = el("a", { id, href: path, download: file, class: "button secondary" }, text);
    link.addEventListener("click", async (event) => {
      event.preventDefault();
      try {
        const url = URL.createObjectURL(await fetchFile(path));
        const save = el("a", { href: url, download: file });
        document.body.append(save);
        save.click();
        save.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10000);
      } catch (failure) {
        A.say(explain(failure), "error");
      }
    });
    return link;
  }

  // ---- the page ----------------------------------------------------------------------------
  async function reportsPage() {
    const params = new URLSearchParams(location.search);
    const houses = A.state.houses; // those the user may read the reports of
    const house = houses.find((h) => h.id === params.get("house"))
      || houses.find((h) => h.id === A.state.house.id) || houses[0];
    const month = thisMonth();
    const choice = { house: house.id, from: params.get("from") || month.from, to: params.get("to") || month.to };
    const perfs = await performancesOf(house.id);
    const chosen = perfs.find((p) => p.id === params.get("performance")) || defaultPerformance(perfs);
    choice.performance = chosen ? chosen.id : "";

    const period = new URLSearchParams({ from: choice.from, to: choice.to });
    const lang = `lang=${Podium.lang}`;
    const base = `/houses/${house.id}/reports`;
    const none = Promise.resolve({ value: null });
    const [dailyChart, daily, mixChart, mix, vat, perPerformance, cumulativeChart, cumulative] = await Promise.all([
      settle(A.call("GET", `${base}/charts/daily.svg?${period}&${lang}`)),
      settle(A.call("GET", `${base}/daily-sales?${period}&format=json`)),
      settle(A.call("GET", `${base}/charts/payments.svg?${period}&${lang}`)),
      settle(A.call("GET", `${base}/payments?${period}`)),
      settle(A.call("GET", `${base}/vat?month=${choice.from.slice(0, 7)}`)),
      settle(A.call("GET", `${base}/performances?${period}`)),
      chosen ? settle(A.call("GET", `/performances/${chosen.id}/reports/charts/cumulative.svg?${lang}`)) : none,
      chosen ? settle(A.call("GET", `/performances/${chosen.id}/reports/cumulative`)) : none,
    ]);

    const houseChoice = A.select({ id: "reports-house" }, houses.map((h) => [h.id, h.name]), house.id);
    const from = Podium.dateInput({ id: "reports-from" }, { value: choice.from });
    const to = Podium.dateInput({ id: "reports-to" }, { value: choice.to });
    const performance = A.select({ id: "reports-performance", disabled: !perfs.length },
      perfs.length ? perfs.map((p) => [p.id, `${p.title} · ${A.longWhen(p.startsAt)}`]) : [["", t("reports.no_performance")]],
      choice.performance);
    const form = A.form({ id: "reports-form", class: "filters", "aria-labelledby": "heading-choose" }, [
      el("div", { class: "form-grid" },
        A.field(t("reports.house"), houseChoice, { name: "house" }),
        A.field(t("reports.from"), from, { name: "from", hint: Podium.dateHint(false) }),
        A.field(t("reports.to"), to, { name: "to", hint: Podium.dateHint(false) }),
        A.field(t("reports.performance"), performance, { name: "performance" })),
    ], t("reports.show"), async () => {
      const errors = [];
      if (!from.isoValue) errors.push({ field: "from", message: t("reports.bad_day") });
      if (!to.isoValue) errors.push({ field: "to", message: t("reports.bad_day") });
      if (!errors.length && to.isoValue < from.isoValue) errors.push({ field: "to", message: t("reports.order") });
      if (errors.length) throw new ApiError(422, { title: t("form.check"), errors });
      // Another house has other performances: its list is read again, its next one shown.
      const same = houseChoice.value === house.id;
      await A.go(address({ house: houseChoice.value, from: from.isoValue, to: to.isoValue,
        performance: same ? performance.value : "" }));
    });

    const exports = `${base}/daily-sales?${period}`;
    const file = `dagverkoop-${house.slug || house.id}-${choice.from}-${choice.to}`;
    A.page(t("reports.title"),
      card("choose", t("reports.choose"), form),
      card("daily", t("reports.daily"), pair("daily", dailyChart, daily),
        el("div", { class: "row-flex downloads", role: "group", "aria-label": t("reports.download") },
          downloadLink("download-csv", `${exports}&format=csv`, `${file}.csv`, t("reports.csv")),
          downloadLink("download-xlsx", `${exports}&format=xlsx`, `${file}.xlsx`, t("reports.xlsx")))),
      card("payments", t("reports.payments"), pair("payments", mixChart, mix)),
      chosen ? card("cumulative", `${t("reports.cumulative")}: ${chosen.title} · ${A.longWhen(chosen.startsAt)}`,
        pair("cumulative", cumulativeChart, cumulative)) : null,
      card("vat", t("reports.vat", { month: monthName(choice.from) }),
        vat.error ? unavailable(vat.error) : reportTable(vat.value, "table-vat")),
      card("performances", t("reports.performances"),
        perPerformance.error ? unavailable(perPerformance.error) : reportTable(perPerformance.value, "table-performances")));
  }

  A.route(/^\/admin\/reports$/, reportsPage, "reports");
})();
