// The box office: log in, open the till, pick a performance (today's first), take places
// on the same live seat map as the shop, tariffs per ticket, a customer of the cluster or
// an anonymous sale, cash / card / invoice or a reservation, print, refund, close the till.
"use strict";

(() => {
  const { el, fill, t, words, localized, money, when, explain, announce } = Podium;
  // Every call goes through the shared login, which renews the access token when it runs
  // out and shows the login again when the session is over.
  const auth = PodiumLogin.create("box-office", { onExpired: () => loginPage(t("login.expired")) });
  const api = (...args) => auth.call(...args);
  const main = document.getElementById("content");
  const TOKEN = "podium.box-office.token";
  const HOUSE = "podium.box-office.house";
  const state = { me: null, house: null, till: null, performance: null, hold: null, plan: null,
    events: {}, eventOf: {}, search: null };
  const timers = [];

  words({
    nl: {
      "bo.title": "Kassa", "bo.email": "E-mail",
      "bo.logout": "Afmelden", "bo.house": "Kassa van", "bo.till_closed": "Kassa dicht",
      "bo.till_open": "Kassa open sinds {time}", "bo.open_till": "Kassa openen", "bo.float": "Wisselgeld (euro)",
      "bo.close_till": "Kassa sluiten", "bo.counted": "Geteld cash (euro)", "bo.report": "Kassarapport",
      "bo.expected": "Verwacht cash", "bo.difference": "Verschil", "bo.search": "Zoek een voorstelling",
      "bo.today": "Vandaag", "bo.performances": "Voorstellingen", "bo.basket": "Mandje",
      "bo.empty": "Kies plaatsen op het zaalplan, de beste plaatsen of staanplaatsen.",
      "bo.best": "Beste plaatsen", "bo.count": "Aantal", "bo.zone": "Rang", "bo.any_zone": "Elke rang",
      "bo.take": "Neem", "bo.standing": "Staanplaatsen", "bo.add": "Toevoegen", "bo.remove": "Weg",
      "bo.tariff": "Tarief", "bo.total": "Totaal", "bo.customer": "Klant", "bo.find_customer": "Zoek klant (naam, e-mail, telefoon)",
      "bo.anonymous": "Anoniem", "bo.name": "Naam", "bo.cash": "Cash", "bo.card": "Kaart",
      "bo.invoice": "Factuur", "bo.by_phone": "Telefonische bestelling", "bo.reserve": "Reserveren tot (uur in Brussel)", "bo.reserve_button": "Reserveer",
      "bo.sold": "Verkocht: bestelling {code}, {total}.", "bo.reserved": "Gereserveerd: bestelling {code}.",
      "bo.print_a4": "Print A4", "bo.print_thermal": "Print 80 mm", "bo.orders": "Bestellingen",
      "bo.find_order": "Zoek bestelling (code, naam, e-mail)", "bo.refund": "Annuleer en betaal terug",
      "bo.refund_cash": "cash terug", "bo.refund_original": "terug op de oorspronkelijke betaling",
      "bo.cancelled": "Geannuleerd.", "bo.needs_till": "Open eerst je kassa.", "bo.no_house": "Je werkt voor geen enkel huis als kassamedewerker.",
      "bo.find": "Zoek", "bo.exchange": "Ruil voor de plaats in het mandje", "bo.exchanged": "Geruild.", "bo.exchange_hold": "Neem eerst precies één nieuwe plaats in het mandje.", "bo.paid": "Betaald.", "bo.staff_only": "enkel aan de kassa", "bo.status": "Status", "bo.pay_now": "Betaal nu",
    },
    fr: {
      "bo.title": "Billetterie", "bo.email": "E-mail",
      "bo.logout": "Se déconnecter", "bo.house": "Caisse de", "bo.till_closed": "Caisse fermée",
      "bo.till_open": "Caisse ouverte depuis {time}", "bo.open_till": "Ouvrir la caisse", "bo.float": "Fonds de caisse (euros)",
      "bo.close_till": "Fermer la caisse", "bo.counted": "Espèces comptées (euros)", "bo.report": "Rapport de caisse",
      "bo.expected": "Espèces attendues", "bo.difference": "Différence", "bo.search": "Chercher un spectacle",
      "bo.today": "Aujourd'hui", "bo.performances": "Représentations", "bo.basket": "Panier",
      "bo.empty": "Choisissez des places sur le plan, les meilleures places ou des places debout.",
      "bo.best": "Meilleures places", "bo.count": "Nombre", "bo.zone": "Catégorie", "bo.any_zone": "Toute catégorie",
      "bo.take": "Prendre", "bo.standing": "Places debout", "bo.add": "Ajouter", "bo.remove": "Retirer",
      "bo.tariff": "Tarif", "bo.total": "Total", "bo.customer": "Client", "bo.find_customer": "Chercher un client (nom, e-mail, téléphone)",
      "bo.anonymous": "Anonyme", "bo.name": "Nom", "bo.cash": "Espèces", "bo.card": "Carte",
      "bo.invoice": "Facture", "bo.by_phone": "Commande par téléphone", "bo.reserve": "Réserver jusqu'au (heure de Bruxelles)", "bo.reserve_button": "Réserver",
      "bo.sold": "Vendu : commande {code}, {total}.", "bo.reserved": "Réservé : commande {code}.",
      "bo.print_a4": "Imprimer A4", "bo.print_thermal": "Imprimer 80 mm", "bo.orders": "Commandes",
      "bo.find_order": "Chercher une commande (code, nom, e-mail)", "bo.refund": "Annuler et rembourser",
      "bo.refund_cash": "en espèces", "bo.refund_original": "sur le paiement d'origine",
      "bo.cancelled": "Annulé.", "bo.needs_till": "Ouvrez d'abord votre caisse.", "bo.no_house": "Vous ne vendez pour aucune maison.",
      "bo.find": "Chercher", "bo.exchange": "Échanger contre la place du panier", "bo.exchanged": "Échangé.", "bo.exchange_hold": "Prenez d'abord exactement une nouvelle place dans le panier.", "bo.paid": "Payé.", "bo.staff_only": "au guichet seulement", "bo.status": "Statut", "bo.pay_now": "Payer maintenant",
    },
    en: {
      "bo.title": "Box office", "bo.email": "E-mail",
      "bo.logout": "Log out", "bo.house": "Counter of", "bo.till_closed": "Till closed",
      "bo.till_open": "Till open since {time}", "bo.open_till": "Open till", "bo.float": "Float (euro)",
      "bo.close_till": "Close till", "bo.counted": "Counted cash (euro)", "bo.report": "Till report",
      "bo.expected": "Expected cash", "bo.difference": "Difference", "bo.search": "Find a performance",
      "bo.today": "Today", "bo.performances": "Performances", "bo.basket": "Basket",
      "bo.empty": "Choose places on the seat map, the best seats or standing places.",
      "bo.best": "Best seats", "bo.count": "Number", "bo.zone": "Zone", "bo.any_zone": "Any zone",
      "bo.take": "Take", "bo.standing": "Standing", "bo.add": "Add", "bo.remove": "Remove",
      "bo.tariff": "Tariff", "bo.total": "Total", "bo.customer": "Customer", "bo.find_customer": "Find customer (name, e-mail, phone)",
      "bo.anonymous": "Anonymous", "bo.name": "Name", "bo.cash": "Cash", "bo.card": "Card",
      "bo.invoice": "Invoice", "bo.by_phone": "Taken on the phone", "bo.reserve": "Reserve until (Brussels time)", "bo.reserve_button": "Reserve",
      "bo.sold": "Sold: order {code}, {total}.", "bo.reserved": "Reserved: order {code}.",
      "bo.print_a4": "Print A4", "bo.print_thermal": "Print 80 mm", "bo.orders": "Orders",
      "bo.find_order": "Find order (code, name, e-mail)", "bo.refund": "Cancel and refund",
      "bo.refund_cash": "cash back", "bo.refund_original": "back to the original payment",
      "bo.cancelled": "Cancelled.", "bo.needs_till": "Open your till first.", "bo.no_house": "You sell for no house.",
      "bo.find": "Find", "bo.exchange": "Exchange for the place in the basket", "bo.exchanged": "Exchanged.", "bo.exchange_hold": "First put exactly one new place in the basket.", "bo.paid": "Paid.", "bo.staff_only": "counter only", "bo.status": "Status", "bo.pay_now": "Pay now",
    },
  });

  const euros = (text) => Math.round(Number(String(text).replace(",", ".")) * 100);
  const notice = () => document.getElementById("notice");
  const say = (text, kind) => announce(notice(), text, kind);
  const field = (id, label, input) => el("div", { class: "field" }, el("label", { for: id }, label), input);

  // ---- log in --------------------------------------------------------------------------
  function loginPage(error) {
    document.getElementById("logout").hidden = true;
    auth.form(main, { title: t("bo.title"), error, onLogin: start });
    document.body.dataset.ready = "true";
  }

  // ---- the counter ---------------------------------------------------------------------
  async function start() {
    while (timers.length) clearInterval(timers.pop());
    Podium.languageSwitch(document.getElementById("languages"));
    try {
      state.me = await auth.restore();
    } catch (failure) {
      return loginPage(explain(failure));
    }
    if (!state.me) return loginPage();
    const houses = await api("GET", "/houses");
    if (!houses.length) { fill(main, el("p", { class: "notice error" }, t("bo.no_house"))); return; }
    state.house = houses.find((h) => h.id === localStorage.getItem(HOUSE)) || houses[0];
    const logout = document.getElementById("logout");
    logout.hidden = false;
    logout.textContent = t("bo.logout");
    logout.onclick = async () => { await auth.logout(); location.reload(); };
    document.getElementById("house-name").textContent = state.house.name;
    const houseSelect = houses.length > 1 ? field("house", t("bo.house"), el("select", { id: "house", onchange: (e) => {
      localStorage.setItem(HOUSE, e.target.value); state.hold = null; start(); } }, houses.map((h) => el("option", { value: h.id, selected: h.id === state.house.id }, h.name)))) : null;

    const clusters = await api("GET", "/clusters");
    const cluster = clusters.find((c) => c.id === state.house.cluster_id) || clusters[0];
    const programme = await api("GET", `/public/clusters/${cluster.slug}/programme?limit=200`);
    const search = el("input", { id: "search", type: "search", autocomplete: "off", placeholder: "/" });
    const list = el("ul", { class: "performance-list", id: "performance-list" });
    const today = Podium.brusselsDay(0);
    let found = [];  // what the server found for the search beyond the first page
    const renderList = () => {
      const words_ = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      const here = programme.filter((p) => words_.every((w) => `${localized(p.title)} ${p.house_name} ${p.hall_name}`.toLowerCase().includes(w)));
      const known = new Set(here.map((p) => p.performance_id));
      const shown = [...here, ...found.filter((p) => !known.has(p.performance_id))]
        .sort((a, b) => a.starts_at.localeCompare(b.starts_at));
      fill(list, ...shown.map((p) => {
        const isToday = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Brussels" }).format(new Date(p.starts_at)) === today;
        return el("li", {}, el("button", { type: "button", "data-performance": p.performance_id,
          "aria-pressed": String(state.performance && state.performance.performance_id === p.performance_id),
          onclick: () => choose(p) },
        el("strong", {}, localized(p.title)),
        el("span", { class: isToday ? "today" : "" }, `${isToday ? `${t("bo.today")} · ` : ""}${when(p.starts_at)}`),
        el("span", { class: "muted" }, `${p.house_name} · ${p.hall_name} · ${p.places_left}`)));
      }));
    };
    let typing = null;
    search.addEventListener("input", () => {
      found = [];
      renderList();
      clearTimeout(typing);
      const words_ = search.value.trim();
      if (words_.length < 2) return;
      // Titles are searched on the server too: a season may have more than one page.
      typing = setTimeout(async () => {
        let answer;
        try {
          answer = await api("GET", `/public/clusters/${cluster.slug}/programme?limit=50&q=${encodeURIComponent(words_)}`);
        } catch { answer = []; }
        if (search.value.trim() !== words_) return;  // typed on meanwhile: a later answer comes
        found = answer;
        renderList();
      }, 250);
    });
    search.addEventListener("keydown", (e) => { if (e.key === "Enter") { const first = list.querySelector("button"); if (first) first.click(); } });
    state.search = search;

    fill(main,
      el("h1", { class: "sr-only" }, t("bo.title")),
      el("div", { id: "notice", class: "notice", role: "status", "aria-live": "polite", hidden: true }),
      el("div", { class: "counter" },
        el("section", { class: "card", "aria-labelledby": "list-title" },
          el("h2", { id: "list-title" }, t("bo.performances")), houseSelect,
          field("search", t("bo.search"), search), list),
        el("section", { "aria-labelledby": "stage-title", id: "stage" },
          el("h2", { id: "stage-title", class: "sr-only" }, t("bo.performances"))),
        el("div", {},
          el("section", { class: "card", id: "basket", "aria-labelledby": "basket-title" }),
          el("section", { class: "card", id: "till", "aria-labelledby": "till-title" }),
          el("section", { class: "card", id: "orders", "aria-labelledby": "orders-title" }))));
    renderList();
    await loadTill();
    renderBasket();
    renderOrders();
    document.body.dataset.ready = "true";
    search.focus();
  }

  // ---- a performance on the seat map --------------------------------------------------
  async function choose(item) {
    state.performance = item;
    for (const b of document.querySelectorAll("#performance-list button")) {
      b.setAttribute("aria-pressed", String(b.dataset.performance === item.performance_id));
    }
    let availability, event;
    try {
      [availability, event] = await Promise.all([
        availabilityOf(item.performance_id), api("GET", `/box-office/events/${item.event_id}?house_id=${state.house.id}`),
      ]);
    } catch (failure) {
      say(explain(failure), "error");
      return;
    }
    state.events[item.event_id] = event;
    state.eventOf[item.performance_id] = item.event_id;
    const stage = document.getElementById("stage");
    const mapBox = el("div", { id: "seatmap" });
    const countInput = el("input", { id: "best-count", type: "number", min: "1", max: "20", value: "2" });
    const zoneSelect = el("select", { id: "best-zone" }, el("option", { value: "" }, t("bo.any_zone")),
      availability.zones.map((z) => el("option", { value: z.zone }, `${z.name} ${money(z.price_cents)} (${z.seats_available})`)));
    const best = el("form", { class: "row-flex", id: "best-form", onsubmit: (e) => { e.preventDefault();
      take({ best: { quantity: Number(countInput.value), zone: zoneSelect.value || null } }); } },
    field("best-count", t("bo.count"), countInput), field("best-zone", t("bo.zone"), zoneSelect),
    el("button", { type: "submit" }, `${t("bo.take")} ${t("bo.best").toLowerCase()}`));
    const standing = availability.standing.map((area) => {
      const input = el("input", { id: `standing-${area.area}`, type: "number", min: "1", max: "20", value: "1" });
      return el("form", { class: "row-flex standing-form", onsubmit: (e) => { e.preventDefault();
        take({ standing: [{ area: area.area, quantity: Number(input.value) }] }); } },
      field(`standing-${area.area}`, `${area.name}: ${area.available} / ${area.capacity}`, input),
      el("button", { type: "submit", id: `add-${area.area}` }, t("bo.add")));
    });
    fill(stage, el("div", { class: "card" },
      el("h2", {}, `${localized(item.title)} — ${when(item.starts_at)}`),
      el("p", { class: "muted" }, `${item.house_name} · ${item.venue_name} · ${item.hall_name}`),
      availability.standing.length ? el("div", {}, el("h3", {}, t("bo.standing")), standing) : null,
      availability.zones.some((z) => z.seats_total) ? best : null,
      availability.zones.some((z) => z.seats_total) ? mapBox : null));
    if (availability.zones.some((z) => z.seats_total)) {
      state.plan = new SeatMap.SeatPlan(mapBox, { onSeat: (key, mine) => (mine ? giveBack(key) : take({ seats: [key] }, key)) });
      state.plan.setZones(availability.zones);
      await state.plan.load(`/public/performances/${item.performance_id}/seatmap.svg`);
      paint(availability);
    } else {
      state.plan = null;
    }
    while (timers.length) clearInterval(timers.pop());
    timers.push(setInterval(() => refresh().catch(() => {}), 4000));
  }

  // Staff see every status of their own house's performances; another house of the
  // cluster sells through the counter what its public shop sells.
  async function availabilityOf(performanceId) {
    try {
      return await api("GET", `/performances/${performanceId}/availability`);
    } catch (failure) {
      if (failure.status !== 404) throw failure;
      return api("GET", `/public/performances/${performanceId}/availability`);
    }
  }

  async function refresh() {
    if (!state.performance || !state.plan) return;
    paint(await availabilityOf(state.performance.performance_id));
  }

  function paint(availability) {
    const mine = state.hold ? state.hold.items.filter((i) => i.seat_key && i.performance_id === state.performance.performance_id).map((i) => i.seat_key) : [];
    if (state.plan) state.plan.setStates(availability, mine);
  }

  async function take(items, key) {
    try {
      const body = { performance_id: state.performance.performance_id, ...items };
      if (state.hold) {
        state.hold = await api("POST", `/box-office/holds/${state.hold.id}/items`, body);
      } else {
        state.hold = await api("POST", "/box-office/holds", { house_id: state.house.id, ...body });
      }
      say("", null);
    } catch (failure) {
      if (failure.slug === "hold-expired") { state.hold = null; return take(items, key); }
      say(explain(failure), "error");
    }
    renderBasket();
    await refresh();
    if (key && state.plan) state.plan.focus(key);
  }

  async function giveBack(key) {
    const item = state.hold && state.hold.items.find((i) => i.seat_key === key);
    if (item) await removeItem(item);
  }

  async function removeItem(item) {
    await api("DELETE", `/box-office/holds/${state.hold.id}/items/${item.id}`).catch((f) => say(explain(f), "error"));
    state.hold = await api("GET", `/box-office/holds/${state.hold.id}`);
    renderBasket();
    await refresh();
  }

  // ---- basket, customer, payment ------------------------------------------------------
  // The basket may hold several shows: each place is priced with its own event's tariffs.
  function tariffsFor(item) {
    const event = state.events[state.eventOf[item.performance_id]];
    const perf = event && event.performances.find((p) => p.id === item.performance_id);
    const zone = perf && perf.prices.find((z) => z.zone === item.zone_code);
    return zone ? zone.tariffs.filter((tp) => tp.amount_cents != null) : [];
  }

  function seatLabel(key) {
    const circle = state.plan && state.plan.seat(key);
    return SeatMap.place(key, circle ? { [key.split("/")[0]]: circle.dataset.section } : null);
  }

  function renderBasket() {
    const box = document.getElementById("basket");
    const items = state.hold ? state.hold.items : [];
    const selects = [];
    const total = el("p", { class: "total", id: "total" });
    const recount = () => {
      let sum = 0;
      for (const s of selects) sum += Number(s.selectedOptions[0] ? s.selectedOptions[0].dataset.cents : 0) * Number(s.dataset.quantity);
      fill(total, el("span", {}, t("bo.total")), el("span", {}, money(sum)));
    };
    const lines = el("ul", { class: "basket-lines", id: "basket-lines" }, items.map((item) => {
      const id = `tariff-${item.id}`;
      const select = el("select", { id, "data-item": item.id, "data-quantity": item.quantity, onchange: recount },
        tariffsFor(item).map((tp) => el("option", { value: tp.tariff, "data-cents": tp.amount_cents },
          `${localized(tp.name)} ${money(tp.amount_cents)}${tp.staff_only ? ` (${t("bo.staff_only")})` : ""}`)));
      selects.push(select);
      const what = item.seat_key ? seatLabel(item.seat_key) : `${item.quantity} × ${item.area_code}`;
      return el("li", {}, el("label", { for: id }, what), select,
        el("button", { type: "button", class: "secondary", "aria-label": `${t("bo.remove")}: ${what}`, onclick: () => removeItem(item) }, "×"));
    }));
    const name = el("input", { id: "customer-name", autocomplete: "off", placeholder: t("bo.anonymous") });
    const email = el("input", { id: "customer-email", type: "email", autocomplete: "off" });
    const query = el("input", { id: "customer-search", type: "search", autocomplete: "off" });
    const found = el("ul", { class: "customers", id: "customer-results", "aria-live": "polite" });
    query.addEventListener("input", async () => {
      if (query.value.trim().length < 2) { fill(found); return; }
      try {
        const customers = await api("GET", `/customers?q=${encodeURIComponent(query.value.trim())}`);
        fill(found, ...customers.map((c) => el("li", {}, el("button", { type: "button", onclick: () => {
          name.value = c.name; email.value = c.email || ""; fill(found); query.value = ""; } },
        [c.name, c.email, c.phone].filter(Boolean).join(" · ")))));
      } catch (failure) {
        fill(found, el("li", { class: "field-error" }, explain(failure)));
      }
    });
    const byPhone = el("input", { id: "by-phone", type: "checkbox" });
    const reserveUntil = Podium.dateInput({ id: "reserve-until", "aria-describedby": "reserve-hint" }, { time: true });
    const pay = (method) => el("button", { type: "button", id: `pay-${method}`, onclick: () => sell({ payment: { method } }) },
      t({ cash: "bo.cash", card_terminal: "bo.card", invoice: "bo.invoice" }[method]));
    fill(box, el("h2", { id: "basket-title" }, t("bo.basket")),
      items.length ? lines : el("p", { class: "muted" }, t("bo.empty")),
      items.length ? total : null,
      items.length ? el("div", {},
        el("h3", {}, t("bo.customer")),
        field("customer-search", t("bo.find_customer"), query), found,
        field("customer-name", t("bo.name"), name), field("customer-email", t("bo.email"), email),
        el("div", { class: "field checkbox" }, byPhone, el("label", { for: "by-phone" }, t("bo.by_phone"))),
        el("div", { class: "pay-buttons" }, pay("cash"), pay("card_terminal"), pay("invoice")),
        el("div", { class: "row-flex reserve" }, el("div", { class: "field" },
          el("label", { for: "reserve-until" }, t("bo.reserve")), reserveUntil,
          el("span", { class: "hint", id: "reserve-hint" }, Podium.dateHint(true))),
        el("button", { type: "button", class: "secondary", id: "reserve", onclick: () => {
          const until = reserveUntil.isoValue;
          if (!until) { reserveUntil.setAttribute("aria-invalid", "true"); reserveUntil.focus(); return; }
          reserveUntil.removeAttribute("aria-invalid");
          sell({ reserve_until: Podium.fromBrussels(until) }); } }, t("bo.reserve_button")))) : null,
      el("div", { id: "sale-result", "aria-live": "polite" }));
    recount();

    async function sell(how) {
      // No name is an anonymous sale: the API never writes a placeholder over a customer.
      const customer = {};
      if (name.value.trim()) customer.name = name.value.trim();
      if (email.value.trim()) customer.email = email.value.trim();
      const body = { hold_id: state.hold.id, customer, by_phone: byPhone.checked, ...how,
        lines: selects.map((s) => ({ item_id: s.dataset.item, tariff: s.value, quantity: Number(s.dataset.quantity) })) };
      try {
        const order = await api("POST", "/box-office/orders", body,
          { headers: { "Idempotency-Key": `${state.hold.id}-${JSON.stringify(how)}` } });
        state.hold = null;
        renderBasket();
        const result = document.getElementById("sale-result");
        const done = t(how.payment ? "bo.sold" : "bo.reserved", { code: order.code, total: money(order.total_cents) });
        fill(result, el("p", { class: "notice ok", id: "sold" }, done), printButtons(order));
        say(done, "ok");  // the permanent live region says it; the print button takes the focus
        result.querySelector("button").focus();
        await Promise.all([refresh(), loadTill()]);
      } catch (failure) {
        if (failure.status === 409 && /till/i.test(failure.message)) say(t("bo.needs_till"), "error");
        else say(explain(failure), "error");
      }
    }
  }

  function printButtons(order) {
    const print = async (layout) => {
      let response;
      // Tickets are issued by a worker right after the sale: wait for them a moment.
      let renewed = false;
      for (let tries = 0; tries < 20; tries++) {
        response = await fetch(`/orders/${order.id}/tickets.pdf?layout=${layout}`,
          { headers: { Authorization: `Bearer ${sessionStorage.getItem(TOKEN)}` } });
        if (response.status === 401 && !renewed) {
          renewed = true;  // once: renews the token, or shows the login when it cannot
          if (await api("GET", "/auth/me").catch(() => null)) continue;
          return;
        }
        if (response.status !== 404) break;
        await new Promise((r) => { setTimeout(r, 500); });
      }
      if (!response.ok) { say(explain(new Podium.ApiError(response.status, await response.json())), "error"); return; }
      const url = URL.createObjectURL(await response.blob());
      const link = el("a", { href: url, download: `${order.code}-${layout}.pdf` });
      document.body.append(link);
      link.click();
      link.remove();
    };
    return el("div", { class: "row-flex" },
      el("button", { type: "button", class: "secondary", id: "print-thermal", onclick: () => print("thermal") }, t("bo.print_thermal")),
      el("button", { type: "button", class: "secondary", id: "print-a4", onclick: () => print("a4") }, t("bo.print_a4")));
  }

  // ---- till -----------------------------------------------------------------------------
  async function loadTill() {
    try {
      state.till = await api("GET", `/till/mine?house_id=${state.house.id}`);
    } catch (failure) {
      if (failure.status !== 404) say(explain(failure), "error");
      state.till = null;
    }
    renderTill();
  }

  function reportTable(report) {
    const rows = [];
    for (const [method, cents] of Object.entries(report.taken || {})) rows.push([method, money(cents)]);
    rows.push([t("bo.expected"), money(report.expected_cash_cents)]);
    if (report.difference_cents != null) rows.push([t("bo.difference"), money(report.difference_cents)]);
    return el("table", { class: "report", id: "till-report" }, el("caption", { class: "sr-only" }, t("bo.report")),
      el("tbody", {}, rows.map(([k, v]) => el("tr", {}, el("th", { scope: "row" }, k), el("td", { class: "num" }, v)))));
  }

  function renderTill(closed) {
    const box = document.getElementById("till");
    const badge = document.getElementById("till-state");
    badge.textContent = state.till ? t("bo.till_open", { time: when(state.till.opened_at, { hour: "2-digit", minute: "2-digit" }) }) : t("bo.till_closed");
    if (!state.till) {
      const amount = el("input", { id: "float", inputmode: "decimal", value: "100" });
      fill(box, el("h2", { id: "till-title" }, t("bo.report")),
        closed ? el("div", { id: "closed-report" }, reportTable(closed.report)) : null,
        el("form", { class: "row-flex", id: "open-till", onsubmit: async (e) => {
          e.preventDefault();
          try {
            await api("POST", "/till/open", { house_id: state.house.id, float_cents: euros(amount.value) });
            await loadTill();
          } catch (failure) { say(explain(failure), "error"); }
        } }, field("float", t("bo.float"), amount), el("button", { type: "submit" }, t("bo.open_till"))));
      return;
    }
    const counted = el("input", { id: "counted", inputmode: "decimal" });
    fill(box, el("h2", { id: "till-title" }, t("bo.report")), reportTable(state.till.report),
      el("form", { class: "row-flex", id: "close-till", onsubmit: async (e) => {
        e.preventDefault();
        if (!counted.value) { counted.setAttribute("aria-invalid", "true"); counted.focus(); return; }
        try {
          const done = await api("POST", `/till/${state.till.id}/close`, { counted_cash_cents: euros(counted.value) });
          state.till = null;
          renderTill(done);
        } catch (failure) { say(explain(failure), "error"); }
      } }, field("counted", t("bo.counted"), counted), el("button", { type: "submit", id: "close" }, t("bo.close_till"))));
  }

  // ---- orders: find, print, refund --------------------------------------------------------
  function renderOrders() {
    const box = document.getElementById("orders");
    const query = el("input", { id: "order-search", type: "search" });
    const results = el("div", { id: "order-results" });
    const form = el("form", { class: "row-flex", onsubmit: async (e) => {
      e.preventDefault();
      try {
        const orders = await api("GET", `/orders?house_id=${state.house.id}&q=${encodeURIComponent(query.value.trim())}&limit=10`);
        fill(results, ...orders.map(orderCard));
      } catch (failure) { say(explain(failure), "error"); }
    } }, field("order-search", t("bo.find_order"), query), el("button", { type: "submit" }, t("bo.find")));
    fill(box, el("h2", { id: "orders-title" }, t("bo.orders")), form, results);
  }

  // A reservation paid at the counter, a ticket exchanged for the one place in the basket,
  // or the order cancelled with its refund: each answered by the API, shown in the card.
  function orderCard(order) {
    const refundMethod = el("select", { id: `refund-${order.id}`, "aria-label": t("bo.refund") },
      el("option", { value: "cash" }, t("bo.refund_cash")), el("option", { value: "original" }, t("bo.refund_original")));
    const act = async (work, done) => {
      try {
        const changed = await work();
        say(done, "ok");
        card.replaceWith(orderCard(changed));
        await Promise.all([refresh(), loadTill()]);
      } catch (failure) { say(explain(failure), "error"); }
    };
    const exchange = (ticket) => act(async () => {
      if (!state.hold || state.hold.items.length !== 1) throw new Error(t("bo.exchange_hold"));
      const body = { ticket_id: ticket.id, hold_id: state.hold.id, payment: { method: "cash" }, refund_method: "cash" };
      const changed = await api("POST", `/orders/${order.id}/exchange`, body,
        { headers: { "Idempotency-Key": `exchange-${ticket.id}-${state.hold.id}` } });
      state.hold = null;
      renderBasket();
      return changed;
    }, t("bo.exchanged"));
    const ticketLine = (tk) => el("li", { "data-ticket": tk.id },
      `${tk.seat_key ? seatLabel(tk.seat_key) : tk.area_code} · ${tk.tariff_code} · ${money(tk.price_cents)} · ${tk.status} `,
      order.status === "paid" && tk.status === "valid"
        ? el("button", { type: "button", class: "secondary", onclick: () => exchange(tk),
          "aria-label": `${t("bo.exchange")}: ${tk.seat_key || tk.area_code}` }, t("bo.exchange")) : null);
    const card = el("div", { class: "card", "data-order": order.code },
      el("h3", {}, `${order.code} · ${order.customer_name}`),
      el("p", {}, `${t("bo.status")}: ${order.status} · ${money(order.total_cents)}`),
      el("ul", {}, order.tickets.map(ticketLine)),
      printButtons(order));
    if (order.status === "reserved") {
      card.append(el("div", { class: "pay-buttons" }, ["cash", "card_terminal", "invoice"].map((method) =>
        el("button", { type: "button", "data-pay": method, onclick: () => act(() => api("POST", `/orders/${order.id}/payments`,
          { method }, { headers: { "Idempotency-Key": `pay-${order.id}` } }), t("bo.paid")) },
        `${t("bo.pay_now")}: ${t({ cash: "bo.cash", card_terminal: "bo.card", invoice: "bo.invoice" }[method])}`))));
    }
    if (["paid", "reserved", "pending"].includes(order.status)) {
      card.append(el("div", { class: "row-flex" }, refundMethod, el("button", { type: "button", class: "danger", onclick: async () => {
        try {
          const changed = await api("POST", `/orders/${order.id}/cancel`, { refund_method: refundMethod.value },
            { headers: { "Idempotency-Key": `cancel-${order.id}` } });
          say(t("bo.cancelled"), "ok");
          card.replaceWith(orderCard(changed));
          await Promise.all([refresh(), loadTill()]);
        } catch (failure) { say(explain(failure), "error"); }
      } }, t("bo.refund"))));
    }
    return card;
  }

  document.addEventListener("keydown", (e) => {
    if (e.key === "/" && state.search && !["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName)) {
      e.preventDefault();
      state.search.focus();
    }
  });

  document.addEventListener("podium:language", async () => {
    document.body.dataset.ready = "false";
    await start();
    Podium.focusLanguage();
  });
  start();
})();
