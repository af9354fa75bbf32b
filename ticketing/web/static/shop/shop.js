// The audience's shop: programme (a house or a whole cluster), event, seat picker,
// basket across the houses of a cluster, checkout, payment and "my tickets".
"use strict";

(() => {
  const { api, el, fill, t, words, localized, money, when, explain, announce } = Podium;
  const main = document.getElementById("content");
  const BASKET = "podium.basket";      // {hold_id, cluster}: the open basket of this browser
  const SHOWS = "podium.shows";        // what the basket page shows of each performance
  const timers = [];                   // a page's repeating work, stopped when it is redrawn
  const PAGE = 60;                     // performances per page of a programme
  let onBasketChange = null;           // the page's answer to a basket changed in another tab
  window.addEventListener("storage", (event) => {
    if (event.key === BASKET && onBasketChange) onBasketChange();
  });

  words({
    nl: {
      "shop.title": "Tickets", "shop.programme": "Programma", "shop.all": "Alles",
      "shop.tonight": "Vanavond", "shop.weekend": "Dit weekend", "shop.date": "Datum",
      "shop.genre": "Genre", "shop.house": "Huis", "shop.any_genre": "Alle genres",
      "shop.any_house": "Alle huizen", "shop.nothing": "Niets gevonden voor deze keuze.",
      "shop.last": "Laatste plaatsen", "shop.soldout": "Uitverkocht", "shop.from": "vanaf {price}",
      "shop.tickets": "Tickets", "shop.choose": "Kies plaatsen", "shop.age": "vanaf {age} jaar",
      "shop.prices": "Prijzen", "shop.zone": "Rang", "shop.places_left": "{n} plaatsen vrij",
      "shop.performances": "Voorstellingen", "shop.search": "Zoek", "shop.count": "{n} voorstellingen", "shop.more": "Meer tonen", "shop.back": "Terug",
      "picker.title": "Kies je plaatsen", "picker.best": "Beste plaatsen",
      "picker.count": "Aantal", "picker.any_zone": "Elke rang", "picker.take_best": "Geef me de beste plaatsen",
      "picker.standing": "Staanplaatsen", "picker.add": "Toevoegen", "picker.in_basket": "In je mandje",
      "picker.empty": "Nog niets gekozen: klik op een vrije stoel.", "picker.remove": "Teruggeven",
      "picker.checkout": "Naar de kassa", "picker.expires": "Je plaatsen blijven vastgehouden nog {time}.",
      "picker.taken_offer": "Die plaats is net genomen. Wil je de beste vrije plaats in {zone}?",
      "picker.take_other": "Ja, geef me een andere plaats", "picker.held": "{seat} zit in je mandje.",
      "picker.released": "{seat} teruggegeven.", "picker.standing_place": "Staanplaats {area}", "picker.expired": "Je mandje is verlopen.",
      "picker.not_on_sale": "Deze voorstelling is niet (meer) te koop.",
      "picker.other_cluster": "Je mandje bevat plaatsen van een andere regio. Rond die bestelling eerst af, of geef die plaatsen terug.", "picker.empty_basket": "Geef die plaatsen terug en neem deze",
      "picker.expiring": "Je plaatsen worden nog maar twee minuten vastgehouden.", "picker.extend": "Geef me meer tijd", "picker.extended": "Je hebt meer tijd gekregen.",
      "basket.title": "Je mandje", "basket.empty": "Je mandje is leeg.", "basket.tariff": "Tarief",
      "basket.total": "Totaal", "basket.fees": "Servicekosten: {n} × {fee}", "basket.buyer": "Jouw gegevens", "basket.name": "Naam",
      "basket.email": "E-mail", "basket.phone": "Telefoon (niet verplicht)", "basket.language": "Taal van je tickets",
      "basket.consent": "Toestemming", "basket.share": "De huizen van deze cluster mogen mij herkennen aan de kassa (ik hoef mijn gegevens niet opnieuw te geven).",
      "basket.newsletter": "Stuur me nieuws van {house} per e-mail.", "basket.order": "Bestellen en betalen",
      "basket.more": "Nog iets kiezen", "basket.required": "Vul dit in.",
      "pay.title": "Betalen", "pay.test": "TESTMODUS — er wordt geen echt geld betaald. Gebruik testkaart 4242 4242 4242 4242 (betaald) of 4000 0000 0000 0341 (geweigerd).",
      "pay.card": "Kaartnummer (test)", "pay.button": "Betaal {amount}", "pay.waiting": "Betaling ontvangen. We maken je tickets klaar…",
      "pay.unavailable": "Online betalen is nu niet mogelijk.",
      "order.title": "Je bestelling {code}", "order.paid": "Betaald: je tickets staan hieronder en komen ook per e-mail.",
      "order.pending": "Deze bestelling wacht op je betaling.", "order.download": "Download je tickets (PDF)",
      "order.qr": "QR-code van ticket {n}", "order.ticket": "Ticket", "order.place": "Plaats", "order.price": "Prijs",
      "order.cancelled": "Deze bestelling is geannuleerd.", "order.use_mail": "Open je bestelling met de link in de e-mail die we je stuurden.", "order.expired": "De tijd om te betalen is voorbij; de plaatsen zijn terug vrij.",
    },
    fr: {
      "shop.title": "Billets", "shop.programme": "Programme", "shop.all": "Tout",
      "shop.tonight": "Ce soir", "shop.weekend": "Ce week-end", "shop.date": "Date",
      "shop.genre": "Genre", "shop.house": "Maison", "shop.any_genre": "Tous les genres",
      "shop.any_house": "Toutes les maisons", "shop.nothing": "Rien trouvé pour ce choix.",
      "shop.last": "Dernières places", "shop.soldout": "Complet", "shop.from": "à partir de {price}",
      "shop.tickets": "Billets", "shop.choose": "Choisir des places", "shop.age": "à partir de {age} ans",
      "shop.prices": "Prix", "shop.zone": "Catégorie", "shop.places_left": "{n} places libres",
      "shop.performances": "Représentations", "shop.search": "Rechercher", "shop.count": "{n} représentations", "shop.more": "Afficher plus", "shop.back": "Retour",
      "picker.title": "Choisissez vos places", "picker.best": "Meilleures places",
      "picker.count": "Nombre", "picker.any_zone": "Toute catégorie", "picker.take_best": "Donnez-moi les meilleures places",
      "picker.standing": "Places debout", "picker.add": "Ajouter", "picker.in_basket": "Dans votre panier",
      "picker.empty": "Rien de choisi : cliquez sur un siège libre.", "picker.remove": "Rendre",
      "picker.checkout": "Passer à la caisse", "picker.expires": "Vos places sont réservées encore {time}.",
      "picker.taken_offer": "Cette place vient d'être prise. Voulez-vous la meilleure place libre en {zone} ?",
      "picker.take_other": "Oui, donnez-moi une autre place", "picker.held": "{seat} est dans votre panier.",
      "picker.released": "{seat} rendu.", "picker.standing_place": "Place debout {area}", "picker.expired": "Votre panier a expiré.",
      "picker.not_on_sale": "Ce spectacle n'est pas (plus) en vente.",
      "picker.other_cluster": "Votre panier contient des places d'une autre région. Terminez d'abord cette commande, ou rendez ces places.", "picker.empty_basket": "Rendre ces places et prendre celle-ci",
      "picker.expiring": "Vos places ne sont plus réservées que deux minutes.", "picker.extend": "Donnez-moi plus de temps", "picker.extended": "Vous avez reçu plus de temps.",
      "basket.title": "Votre panier", "basket.empty": "Votre panier est vide.", "basket.tariff": "Tarif",
      "basket.total": "Total", "basket.buyer": "Vos coordonnées", "basket.fees": "Frais de service : {n} × {fee}", "basket.name": "Nom",
      "basket.email": "E-mail", "basket.phone": "Téléphone (facultatif)", "basket.language": "Langue de vos billets",
      "basket.consent": "Consentement", "basket.share": "Les maisons de ce cluster peuvent me reconnaître à la billetterie.",
      "basket.newsletter": "Envoyez-moi les nouvelles de {house} par e-mail.", "basket.order": "Commander et payer",
      "basket.more": "Choisir autre chose", "basket.required": "Remplissez ce champ.",
      "pay.title": "Paiement", "pay.test": "MODE TEST — aucun argent réel. Carte de test 4242 4242 4242 4242 (payé) ou 4000 0000 0000 0341 (refusé).",
      "pay.card": "Numéro de carte (test)", "pay.button": "Payer {amount}", "pay.waiting": "Paiement reçu. Nous préparons vos billets…",
      "pay.unavailable": "Le paiement en ligne n'est pas possible maintenant.",
      "order.title": "Votre commande {code}", "order.paid": "Payé : vos billets sont ci-dessous et arrivent aussi par e-mail.",
      "order.pending": "Cette commande attend votre paiement.", "order.download": "Téléchargez vos billets (PDF)",
      "order.qr": "Code QR du billet {n}", "order.ticket": "Billet", "order.place": "Place", "order.price": "Prix",
      "order.cancelled": "Cette commande est annulée.", "order.use_mail": "Ouvrez votre commande avec le lien de l'e-mail que nous vous avons envoyé.", "order.expired": "Le délai de paiement est passé ; les places sont à nouveau libres.",
    },
    en: {
      "shop.title": "Tickets", "shop.programme": "Programme", "shop.all": "All",
      "shop.tonight": "Tonight", "shop.weekend": "This weekend", "shop.date": "Date",
      "shop.genre": "Genre", "shop.house": "House", "shop.any_genre": "All genres",
      "shop.any_house": "All houses", "shop.nothing": "Nothing found for this choice.",
      "shop.last": "Last places", "shop.soldout": "Sold out", "shop.from": "from {price}",
      "shop.tickets": "Tickets", "shop.choose": "Choose seats", "shop.age": "ages {age}+",
      "shop.prices": "Prices", "shop.zone": "Zone", "shop.places_left": "{n} places free",
      "shop.performances": "Performances", "shop.search": "Search", "shop.count": "{n} performances", "shop.more": "Show more", "shop.back": "Back",
      "picker.title": "Choose your seats", "picker.best": "Best available",
      "picker.count": "Number", "picker.any_zone": "Any zone", "picker.take_best": "Give me the best seats",
      "picker.standing": "Standing", "picker.add": "Add", "picker.in_basket": "In your basket",
      "picker.empty": "Nothing chosen yet: click a free seat.", "picker.remove": "Give back",
      "picker.checkout": "Checkout", "picker.expires": "Your places are held for {time}.",
      "picker.taken_offer": "That seat was just taken. Would you like the best free seat in {zone}?",
      "picker.take_other": "Yes, give me another seat", "picker.held": "{seat} is in your basket.",
      "picker.released": "{seat} given back.", "picker.standing_place": "Standing {area}", "picker.expired": "Your basket expired.",
      "picker.not_on_sale": "This performance is not (or no longer) on sale.",
      "picker.other_cluster": "Your basket holds places of another region. Finish that order first, or give those places back.", "picker.empty_basket": "Give those places back and take this one",
      "picker.expiring": "Your places are held for only two more minutes.", "picker.extend": "Give me more time", "picker.extended": "You have been given more time.",
      "basket.title": "Your basket", "basket.empty": "Your basket is empty.", "basket.tariff": "Tariff",
      "basket.total": "Total", "basket.buyer": "Your details", "basket.fees": "Service fee: {n} × {fee}", "basket.name": "Name",
      "basket.email": "E-mail", "basket.phone": "Phone (optional)", "basket.language": "Language of your tickets",
      "basket.consent": "Consent", "basket.share": "The houses of this cluster may recognise me at their box office.",
      "basket.newsletter": "Send me the news of {house} by e-mail.", "basket.order": "Order and pay",
      "basket.more": "Choose more", "basket.required": "Please fill this in.",
      "pay.title": "Payment", "pay.test": "TEST MODE — no real money is paid. Use test card 4242 4242 4242 4242 (paid) or 4000 0000 0000 0341 (declined).",
      "pay.card": "Card number (test)", "pay.button": "Pay {amount}", "pay.waiting": "Payment received. Preparing your tickets…",
      "pay.unavailable": "Online payment is not possible right now.",
      "order.title": "Your order {code}", "order.paid": "Paid: your tickets are below and also come by e-mail.",
      "order.pending": "This order waits for your payment.", "order.download": "Download your tickets (PDF)",
      "order.qr": "QR code of ticket {n}", "order.ticket": "Ticket", "order.place": "Place", "order.price": "Price",
      "order.cancelled": "This order was cancelled.", "order.use_mail": "Open your order with the link in the e-mail we sent you.", "order.expired": "The time to pay has passed; the places are free again.",
    },
  });

  // ---- the basket kept by this browser -------------------------------------------------
  const basket = {
    get() { try { return JSON.parse(localStorage.getItem(BASKET)) || null; } catch { return null; } },
    set(value) { localStorage.setItem(BASKET, JSON.stringify(value)); },
    clear() { localStorage.removeItem(BASKET); },
  };
  const shows = {
    all() { try { return JSON.parse(localStorage.getItem(SHOWS)) || {}; } catch { return {}; } },
    put(id, info) { const all = shows.all(); all[id] = info; localStorage.setItem(SHOWS, JSON.stringify(all)); },
  };

  async function currentHold() {
    const kept = basket.get();
    if (!kept) return null;
    let hold;
    try {
      hold = await api("GET", `/public/holds/${kept.hold_id}`);
    } catch (error) {
      // Gone: forget it. Anything else (offline, a busy server) keeps the basket: its
      // places are still held, and the next try finds them.
      if (error.status === 404) basket.clear();
      if (error.status === 404) return null;
      throw error;
    }
    if (hold.status !== "active" || new Date(hold.expires_at) <= new Date()) {
      basket.clear();
      return null;
    }
    return hold;
  }

  async function showBasketLink(hold) {
    const link = document.getElementById("basket-link");
    const count = hold ? hold.items.reduce((n, i) => n + i.quantity, 0) : 0;
    link.hidden = count === 0;
    link.textContent = `${t("basket.title")} (${count})`;
  }

  const seatText = SeatMap.place;

  function itemText(item, info) {
    if (item.seat_key) return seatText(item.seat_key, info && info.sections);
    return `${item.quantity} × ${t("picker.standing_place", { area: (info && info.areas && info.areas[item.area_code]) || item.area_code })}`;
  }

  function title(text) {
    document.title = `${text} · Podium`;
    return el("h1", {}, text);
  }

  function badge(item) {
    if (item.status === "sold_out" || item.places_left === 0) {
      return el("span", { class: "badge soldout" }, t("shop.soldout"));
    }
    return item.last_places ? el("span", { class: "badge last" }, t("shop.last")) : null;
  }

  // The hold's countdown, and two minutes before the end an offer to extend it once
  // (WCAG 2.2.1: the buyer is warned before time runs out and may ask for more).
  function holdClock(getHold, setHold, notice, offerBox, onExpired) {
    let warned = false;
    return () => {
      const hold = getHold();
      const node = document.getElementById("countdown");
      if (!hold) return;
      const left = Math.max(0, Math.round((new Date(hold.expires_at) - Date.now()) / 1000));
      if (node) node.textContent = t("picker.expires", { time: `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}` });
      if (left > 0 && left <= 120 && !hold.extended && !warned) {
        warned = true;
        fill(offerBox, el("div", { class: "notice" }, el("p", {}, t("picker.expiring")),
          el("button", { type: "button", id: "extend", onclick: async () => {
            try {
              setHold(await api("POST", `/public/holds/${hold.id}/extend`));
              fill(offerBox);
              warned = false;
              announce(notice, t("picker.extended"), "ok");
            } catch (failure) {
              announce(notice, explain(failure), "error");
            }
          } }, t("picker.extend"))));
      }
      if (left === 0) {
        basket.clear();
        fill(offerBox);
        announce(notice, t("picker.expired"), "error");
        onExpired();
      }
    };
  }

  // ---- programme of a house or a cluster ------------------------------------------------
  async function programme(kind, slug) {
    const base = kind === "cluster" ? `/public/clusters/${slug}/programme` : `/public/houses/${slug}/programme`;
    const state = { day: "all", date: "", genre: "", house: "", q: "" };
    const [everything, genres] = await Promise.all([
      api("GET", `${base}?limit=200`), api("GET", "/public/event-types"),
    ]);
    const houseNames = new Map(everything.map((i) => [i.house_slug, i.house_name]));
    const heading = kind === "cluster" ? `${t("shop.programme")}` :
      (everything[0] ? everything[0].house_name : t("shop.programme"));
    const list = el("div", { class: "grid", id: "programme" });
    // Says how many were found after each change of the filters (the list itself is not
    // read out again).
    const count = el("p", { id: "programme-count", role: "status", class: "muted" });
    const more = el("button", { type: "button", class: "secondary", id: "more", hidden: true,
      onclick: () => refresh(true) }, t("shop.more"));
    const search = el("input", { type: "search", id: "filter-search", autocomplete: "off" });
    let typing = null;
    search.addEventListener("input", () => {
      clearTimeout(typing);
      typing = setTimeout(() => { state.q = search.value.trim(); refresh(); }, 300);
    });
    let shown = 0;
    const chips = el("div", { class: "chips", role: "group", "aria-label": t("shop.date") });
    for (const [key, label] of [["all", "shop.all"], ["tonight", "shop.tonight"], ["weekend", "shop.weekend"]]) {
      chips.append(el("button", { type: "button", "data-day": key, "aria-pressed": String(key === "all"),
        onclick: () => { state.day = key; state.date = ""; dateInput.value = ""; refresh(); } }, t(label)));
    }
    // The day typed as the page's language writes it; the list changes once it is a date.
    const dateInput = Podium.dateInput({ id: "filter-date", "aria-describedby": "filter-date-hint", onchange: () => {
      const day = dateInput.isoValue;
      dateInput.setAttribute("aria-invalid", String(day === null));
      if (day === null) return;
      state.day = day ? "date" : "all"; state.date = day; refresh(); } });
    const genreSelect = el("select", { id: "filter-genre", onchange: () => { state.genre = genreSelect.value; refresh(); } },
      el("option", { value: "" }, t("shop.any_genre")),
      genres.filter((g) => everything.some((i) => i.event_type.id === g.id))
        .map((g) => el("option", { value: g.id }, localized(g))));
    const filters = el("div", { class: "filters card" },
      el("div", { class: "field" }, el("label", { for: "filter-search" }, t("shop.search")), search), chips,
      el("div", { class: "field" }, el("label", { for: "filter-date" }, t("shop.date")), dateInput,
        el("span", { class: "hint", id: "filter-date-hint" }, Podium.dateHint(false))),
      el("div", { class: "field" }, el("label", { for: "filter-genre" }, t("shop.genre")), genreSelect));
    if (kind === "cluster") {
      const houseSelect = el("select", { id: "filter-house", onchange: () => { state.house = houseSelect.value; refresh(); } },
        el("option", { value: "" }, t("shop.any_house")),
        [...houseNames].map(([s, name]) => el("option", { value: s }, name)));
      filters.append(el("div", { class: "field" }, el("label", { for: "filter-house" }, t("shop.house")), houseSelect));
    }
    fill(main, title(heading), filters, count, list, more);

    async function refresh(next) {
      for (const chip of chips.querySelectorAll("button")) {
        chip.setAttribute("aria-pressed", String(chip.dataset.day === state.day));
      }
      const query = new URLSearchParams({ limit: String(PAGE), offset: String(next ? shown : 0) });
      if (state.q && state.q.length >= 2) query.set("q", state.q);
      if (state.day === "tonight") { query.set("date_from", Podium.brusselsDay(0)); query.set("date_to", Podium.brusselsDay(0)); }
      if (state.day === "weekend") {
        const weekday = Podium.brusselsWeekday(); // 0 = Sunday
        const toFriday = weekday === 0 ? -2 : Math.max(0, 5 - weekday);
        const toSunday = weekday === 0 ? 0 : 7 - weekday;
        query.set("date_from", Podium.brusselsDay(weekday === 6 || weekday === 0 ? 0 : toFriday));
        query.set("date_to", Podium.brusselsDay(toSunday));
      }
      if (state.day === "date") { query.set("date_from", state.date); query.set("date_to", state.date); }
      if (state.genre) query.set("genre", state.genre);
      if (state.house) query.set("house", state.house);
      const items = await api("GET", `${base}?${query}`);
      if (next) {
        list.append(...items.map(card));
        shown += items.length;
        const first = list.children[shown - items.length];
        if (first) first.querySelector("a").focus();
      } else {
        shown = items.length;
        fill(list, ...(items.length ? items.map(card) : [el("p", {}, t("shop.nothing"))]));
      }
      more.hidden = items.length < PAGE;
      count.textContent = t("shop.count", { n: shown });
    }

    function card(item) {
      const link = `/shop/events/${item.event_id}`;
      return el("article", { class: "card event-card", "data-performance": item.performance_id },
        el("h2", {}, el("a", { href: link }, localized(item.title))),
        el("p", { class: "when" }, when(item.starts_at)),
        el("p", { class: "muted" }, `${item.venue_name}, ${item.city} · ${item.hall_name}`),
        el("p", { class: "row-flex" },
          kind === "cluster" ? el("span", { class: "badge house" }, item.house_name) : null,
          el("span", {}, localized(item.event_type)),
          badge(item)),
        el("p", { class: "row-flex" },
          item.price_from_cents != null ? el("span", {}, t("shop.from", { price: money(item.price_from_cents) })) : null,
          item.status === "on_sale" && item.places_left > 0
            ? el("a", { class: "button", href: `${link}/performances/${item.performance_id}`,
              "aria-label": `${t("shop.tickets")}: ${localized(item.title)}, ${when(item.starts_at)}` }, t("shop.tickets"))
            : null));
    }
    await refresh();
  }

  // ---- one event -------------------------------------------------------------------------
  async function eventPage(eventId) {
    const event = await api("GET", `/public/events/${eventId}`);
    const performances = el("div", { id: "performances" });
    fill(main,
      title(localized(event.title)),
      el("p", { class: "row-flex" }, el("span", { class: "badge house" }, event.house_name),
        el("span", {}, localized(event.event_type)),
        event.age_min ? el("span", {}, t("shop.age", { age: event.age_min })) : null),
      el("div", { class: "card" }, el("p", {}, localized(event.description))),
      el("h2", {}, t("shop.performances")), performances);
    for (const perf of event.performances) {
      const rows = perf.prices.map((zone) => el("tr", {},
        el("th", { scope: "row" }, el("span", { class: "swatch", style: { background: zone.color }, "aria-hidden": "true" }), zone.zone_name),
        el("td", {}, zone.tariffs.filter((tp) => tp.amount_cents != null)
          .map((tp) => `${localized(tp.name)} ${money(tp.amount_cents)}`).join(" · "))));
      const open = perf.status === "on_sale";
      performances.append(el("section", { class: "card", "aria-label": when(perf.starts_at) },
        el("h3", {}, when(perf.starts_at)),
        el("p", { class: "muted" }, `${perf.venue_name}, ${perf.city} · ${perf.hall_name}`),
        perf.status === "sold_out" ? el("span", { class: "badge soldout" }, t("shop.soldout")) : null,
        el("table", {}, el("caption", { class: "sr-only" }, t("shop.prices")),
          el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t("shop.zone")), el("th", { scope: "col" }, t("shop.prices")))),
          el("tbody", {}, rows)),
        open ? el("p", {}, el("a", { class: "button", href: `/shop/events/${eventId}/performances/${perf.id}` }, t("shop.choose"))) : null));
    }
  }

  // ---- the seat picker -------------------------------------------------------------------
  async function picker(eventId, performanceId) {
    const [event, availability] = await Promise.all([
      api("GET", `/public/events/${eventId}`),
      api("GET", `/public/performances/${performanceId}/availability`),
    ]);
    const perf = event.performances.find((p) => p.id === performanceId);
    if (!perf) throw new Podium.ApiError(404, { type: "/not-found", detail: t("picker.not_on_sale") });
    const notice = el("div", { class: "notice", id: "notice", role: "status", "aria-live": "polite", hidden: true });
    const alert = el("div", { id: "offer", role: "alert" });
    const expiring = el("div", { id: "expiring", role: "alert" });  // the offer of more time
    const mapBox = el("div", { id: "seatmap" });
    const side = el("aside", { class: "card", "aria-labelledby": "basket-title" });
    const zoneSelect = el("select", { id: "best-zone" }, el("option", { value: "" }, t("picker.any_zone")),
      availability.zones.map((z) => el("option", { value: z.zone }, `${z.name} (${money(z.price_cents)})`)));
    const countInput = el("input", { id: "best-count", type: "number", min: "1", max: "10", value: "2", inputmode: "numeric" });
    const bestForm = el("form", { class: "card", id: "best-form", "aria-labelledby": "best-title" },
      el("h2", { id: "best-title" }, t("picker.best")),
      el("div", { class: "row-flex" },
        el("div", { class: "field" }, el("label", { for: "best-count" }, t("picker.count")), countInput),
        el("div", { class: "field" }, el("label", { for: "best-zone" }, t("shop.zone")), zoneSelect)),
      el("button", { type: "submit", id: "take-best" }, t("picker.take_best")));
    bestForm.addEventListener("submit", (e) => {
      e.preventDefault();
      hold({ best: { quantity: Number(countInput.value), zone: zoneSelect.value || null } });
    });
    const standingBox = el("div", {});
    if (availability.standing.length) {
      standingBox.append(el("section", { class: "card", "aria-labelledby": "standing-title" },
        el("h2", { id: "standing-title" }, t("picker.standing")),
        availability.standing.map((area) => {
          const input = el("input", { id: `standing-${area.area}`, type: "number", min: "1", max: "10", value: "1" });
          const zone = availability.zones.find((z) => z.zone === area.zone);
          return el("form", { class: "row-flex", onsubmit: (e) => { e.preventDefault();
            hold({ standing: [{ area: area.area, quantity: Number(input.value) }] }); } },
          el("div", { class: "field" }, el("label", { for: `standing-${area.area}` },
            `${area.name} (${zone ? money(zone.price_cents) : ""}) — ${t("map.area", { name: area.name, n: area.available })}`), input),
          el("button", { type: "submit" }, t("picker.add")));
        })));
    }
    fill(main,
      el("p", {}, el("a", { href: `/shop/events/${eventId}` }, `← ${localized(event.title)}`)),
      title(`${t("picker.title")}: ${localized(event.title)}`),
      el("p", { class: "when" }, `${when(perf.starts_at)} · ${perf.venue_name} · ${perf.hall_name}`),
      notice, alert, expiring,
      el("div", { class: "picker" },
        el("div", {}, el("ul", { class: "legend-list", "aria-label": t("shop.prices") },
          availability.zones.map((z) => el("li", {}, el("span", { class: "swatch", style: { background: z.color }, "aria-hidden": "true" }),
            `${z.name}: ${money(z.price_cents)}`))), mapBox, standingBox),
        el("div", {}, side, bestForm)));

    const plan = new SeatMap.SeatPlan(mapBox, { onSeat: (key, mine) => (mine ? release(key) : hold({ seats: [key] }, key)) });
    plan.setZones(availability.zones);
    await plan.load(`/public/performances/${performanceId}/seatmap.svg`);
    const sections = {};
    for (const circle of plan.seats) sections[circle.dataset.seat.split("/")[0]] = circle.dataset.section;
    shows.put(performanceId, {
      event_id: eventId, title: event.title, starts_at: perf.starts_at, venue: perf.venue_name, hall: perf.hall_name,
      house: event.house_name, sections, areas: Object.fromEntries(availability.standing.map((a) => [a.area, a.name])),
      zones: Object.fromEntries(perf.prices.map((z) => [z.zone, { name: z.zone_name, tariffs: z.tariffs }])),
    });
    let current = null;
    try { current = await currentHold(); } catch (failure) { announce(notice, explain(failure), "error"); }
    // Another tab of this browser changed the basket: show it as it is now.
    onBasketChange = async () => {
      try { current = await currentHold(); } catch { return; }
      await refreshStates().catch(() => render());
    };
    let latest = availability;
    const mine = () => (current ? current.items.filter((i) => i.performance_id === performanceId) : []);

    function render() {
      plan.setStates(latest, mine().filter((i) => i.seat_key).map((i) => i.seat_key));
      const items = mine();
      const lines = el("ul", { class: "basket-lines", id: "picked" }, items.map((item) => el("li", { "data-seat": item.seat_key || item.area_code },
        el("span", {}, itemText(item, shows.all()[performanceId])),
        el("button", { type: "button", class: "secondary", onclick: () => releaseItem(item),
          "aria-label": `${t("picker.remove")}: ${itemText(item, shows.all()[performanceId])}` }, t("picker.remove")))));
      const countdown = el("p", { class: "countdown", id: "countdown" });
      fill(side, el("h2", { id: "basket-title", tabindex: "-1" }, t("picker.in_basket")),
        items.length ? lines : el("p", { class: "muted" }, t("picker.empty")),
        current && current.items.length ? countdown : null,
        current && current.items.length ? el("a", { class: "button", id: "checkout", href: "/shop/basket" }, t("picker.checkout")) : null);
      tick();
      showBasketLink(current);
    }

    const tick = holdClock(() => current, (hold) => { current = hold; render(); }, notice, expiring,
      () => { current = null; render(); });

    async function refreshStates() {
      latest = await api("GET", `/public/performances/${performanceId}/availability`);
      render();
    }

    async function hold(items, key) {
      fill(alert);
      const body = { performance_id: performanceId, ...items };
      // The basket this browser keeps, which another tab may have started meanwhile.
      const kept = basket.get();
      const basketId = current ? current.id : kept && kept.hold_id;
      try {
        if (basketId) {
          current = await api("POST", `/public/holds/${basketId}/items`, body);
        } else {
          current = await api("POST", "/public/holds", body);
        }
        basket.set({ hold_id: current.id, changed: Date.now() });  // other tabs hear of it
        announce(notice, key ? t("picker.held", { seat: seatText(key, sections) }) : "", "ok");
      } catch (error) {
        if (basketId && (error.slug === "hold-expired" || error.slug === "conflict")) {
          basket.clear(); current = null;
          return hold(items, key);
        }
        if (basketId && error.status === 404) {
          // Either the basket is gone, or it holds places of another cluster's houses.
          let other;
          try { other = await currentHold(); } catch { other = null; }
          if (!other) { current = null; return hold(items, key); }
          current = other;
          otherCluster(items, key);
        } else if (error.slug === "seats-taken" && key) offerAnother(key);
        else announce(notice, explain(error), "error");
      }
      await refreshStates();
      if (key) plan.focus(key);
    }

    // One basket holds the shows of one cluster: offer to give back the other places.
    function otherCluster(items, key) {
      announce(notice, "", null);
      fill(alert, el("div", { class: "notice error" },
        el("p", {}, t("picker.other_cluster")),
        el("button", { type: "button", id: "empty-basket", onclick: async () => {
          try {
            await api("DELETE", `/public/holds/${current.id}`);
          } catch (failure) {
            announce(notice, explain(failure), "error");
            return;
          }
          basket.clear(); current = null;
          await hold(items, key);
        } }, t("picker.empty_basket"))));
      document.getElementById("empty-basket").focus();
    }

    function offerAnother(key) {
      const circle = plan.seat(key);
      const zone = latest.zones.find((z) => z.zone === (circle && circle.dataset.zone));
      announce(notice, "", null);
      fill(alert, el("div", { class: "notice error" },
        el("p", {}, t("picker.taken_offer", { zone: zone ? zone.name : "" })),
        el("button", { type: "button", id: "take-other", onclick: () => hold({ best: { quantity: 1, zone: zone ? zone.zone : null } }) },
          t("picker.take_other"))));
      document.getElementById("take-other").focus();
    }

    async function releaseItem(item) {
      try {
        await api("DELETE", `/public/holds/${current.id}/items/${item.id}`);
        basket.set({ hold_id: current.id, changed: Date.now() });
        announce(notice, t("picker.released", { seat: itemText(item, shows.all()[performanceId]) }), "ok");
      } catch (error) {
        announce(notice, explain(error), "error");
      }
      try { current = await currentHold(); } catch { current = null; }
      await refreshStates();
      // The button that had the focus is gone with its line: the basket's heading takes it.
      document.getElementById("basket-title").focus();
    }

    function release(key) {
      const item = mine().find((i) => i.seat_key === key);
      if (item) releaseItem(item);
    }

    render();
    timers.push(setInterval(tick, 1000), setInterval(() => refreshStates().catch(() => {}), 5000));
  }

  // ---- the basket and checkout ------------------------------------------------------------
  async function basketPage() {
    const hold = await currentHold();
    showBasketLink(hold);
    if (!hold || !hold.items.length) {
      fill(main, title(t("basket.title")), el("p", {}, t("basket.empty")));
      return;
    }
    const info = shows.all();
    const totalBox = el("p", { class: "total", id: "total" });
    const feesBox = el("p", { class: "total fees", id: "fees", hidden: true });
    let current = hold;
    const notice = el("div", { class: "notice", role: "status", "aria-live": "polite", hidden: true });
    const offer = el("div", { role: "alert" });
    const tick = holdClock(() => current, (extended) => { current = extended; }, notice, offer,
      () => { current = null; location.reload(); });
    const selects = [];
    const byPerformance = new Map();
    for (const item of hold.items) {
      if (!byPerformance.has(item.performance_id)) byPerformance.set(item.performance_id, []);
      byPerformance.get(item.performance_id).push(item);
    }
    const groups = [...byPerformance].map(([performanceId, items]) => {
      const show = info[performanceId] || { zones: {}, title: { nl: "" } };
      return el("section", { class: "card" },
        el("h2", {}, localized(show.title)),
        el("p", { class: "muted" }, `${show.starts_at ? when(show.starts_at) : ""} · ${show.house || ""} · ${show.hall || ""}`),
        el("table", { class: "basket-table" }, el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t("order.place")),
          el("th", { scope: "col" }, t("basket.tariff")), el("th", { scope: "col", class: "num" }, t("order.price")))),
        el("tbody", {}, items.map((item) => {
          const zone = show.zones[item.zone_code] || { tariffs: [] };
          const id = `tariff-${item.id}`;
          const select = el("select", { id, "data-item": item.id, "data-quantity": item.quantity },
            zone.tariffs.filter((tp) => tp.amount_cents != null)
              .map((tp) => el("option", { value: tp.tariff, "data-cents": tp.amount_cents },
                `${localized(tp.name)} — ${money(tp.amount_cents)}`)));
          select.addEventListener("change", total);
          selects.push(select);
          const price = el("td", { class: "num", "data-price": item.id });
          return el("tr", {}, el("td", {}, el("label", { for: id }, itemText(item, show))),
            el("td", {}, select), price);
        }))));
    });

    // What the order will cost: the tickets, and the house's online fee per ticket (the
    // order adds it as soon as something is to be paid).
    function total() {
      let sum = 0;
      let count = 0;
      for (const select of selects) {
        const option = select.selectedOptions[0];
        const cents = option ? Number(option.dataset.cents) * Number(select.dataset.quantity) : 0;
        sum += cents;
        count += Number(select.dataset.quantity);
        document.querySelector(`[data-price="${select.dataset.item}"]`).textContent = money(cents);
      }
      const fees = sum > 0 ? hold.fee_per_ticket_cents * count : 0;
      fill(feesBox, fees ? [el("span", {}, t("basket.fees", { n: count, fee: money(hold.fee_per_ticket_cents) })),
        el("span", {}, money(fees))] : []);
      feesBox.hidden = !fees;
      fill(totalBox, el("span", {}, t("basket.total")), el("span", {}, money(sum + fees)));
    }

    const error = el("div", { id: "checkout-error", role: "alert" });
    const field = (id, label, attributes) => el("div", { class: "field" },
      el("label", { for: id }, label), el("input", Object.assign({ id, name: id }, attributes)));
    const form = el("form", { class: "card", id: "checkout-form", novalidate: true },
      el("h2", {}, t("basket.buyer")),
      field("name", t("basket.name"), { autocomplete: "name", required: true }),
      field("email", t("basket.email"), { type: "email", autocomplete: "email", required: true }),
      field("phone", t("basket.phone"), { type: "tel", autocomplete: "tel" }),
      el("div", { class: "field" }, el("label", { for: "language" }, t("basket.language")),
        el("select", { id: "language" }, [["nl", "Nederlands"], ["fr", "Français"], ["en", "English"]]
          .map(([v, n]) => el("option", { value: v, selected: v === Podium.lang }, n)))),
      el("fieldset", { class: "field" }, el("legend", {}, t("basket.consent")),
        el("label", { class: "check" }, el("input", { type: "checkbox", id: "share" }), t("basket.share")),
        el("label", { class: "check" }, el("input", { type: "checkbox", id: "newsletter" }),
          t("basket.newsletter", { house: hold.house_name || "" }))),
      feesBox, totalBox, error,
      el("div", { class: "row-flex" }, el("button", { type: "submit", id: "place-order" }, t("basket.order")),
        el("a", { href: "/shop", id: "choose-more", onclick: (event) => {
          // Back where the buyer came from; the programme when the basket was opened afresh.
          if (history.length > 1) { event.preventDefault(); history.back(); }
        } }, t("basket.more"))));
    // A field the buyer corrects is no longer marked wrong.
    form.addEventListener("input", (event) => {
      if (event.target.getAttribute("aria-invalid") === "true") {
        event.target.setAttribute("aria-invalid", "false");
        fill(error);
      }
    });
    let key = crypto.randomUUID ? crypto.randomUUID() : String(Date.now());
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      fill(error);
      const value = (id) => document.getElementById(id).value.trim();
      let missing = null;
      for (const id of ["name", "email"]) {
        const input = document.getElementById(id);
        const empty = !value(id) || (id === "email" && !input.checkValidity());
        input.setAttribute("aria-invalid", String(empty));
        if (empty && !missing) missing = input;
      }
      if (missing) {
        fill(error, el("p", { class: "notice error" }, `${missing.labels[0].textContent}: ${t("basket.required")}`));
        missing.focus();
        return;
      }
      const customer = { name: value("name"), email: value("email"), language: value("language"),
        share_in_cluster: document.getElementById("share").checked,
        newsletter: document.getElementById("newsletter").checked };
      if (value("phone")) customer.phone = value("phone");
      const lines = selects.map((s) => ({ item_id: s.dataset.item, tariff: s.value, quantity: Number(s.dataset.quantity) }));
      const button = document.getElementById("place-order");
      button.disabled = true;
      try {
        const order = await api("POST", "/public/orders", { hold_id: hold.id, customer, lines },
          { headers: { "Idempotency-Key": key } });
        basket.clear();
        location.assign(`/shop/orders/${order.id}?secret=${encodeURIComponent(order.secret)}`);
      } catch (failure) {
        button.disabled = false;
        key = crypto.randomUUID ? crypto.randomUUID() : String(Date.now());
        for (const f of failure.fields || []) {
          const input = document.getElementById(f.split(".").pop());
          if (input) input.setAttribute("aria-invalid", "true");
        }
        fill(error, el("p", { class: "notice error" }, explain(failure)));
      }
    });
    onBasketChange = () => route();  // another tab changed the basket: show it as it is
    fill(main, title(t("basket.title")), el("p", { class: "countdown", id: "countdown" }), notice, offer,
      ...groups, form);
    total();
    tick();
    timers.push(setInterval(tick, 1000));
  }

  // ---- an order: payment, confirmation, my tickets -----------------------------------------
  async function orderPage(orderId) {
    // The secret comes with the link; kept for this tab, so that the address Stripe sends
    // the buyer back to need not carry it.
    const given = new URLSearchParams(location.search).get("secret");
    if (given) {
      sessionStorage.setItem(`podium.order.${orderId}`, given);
      // Off the address bar before anything else loads: Stripe.js reads the page's address.
      history.replaceState(history.state, "", location.pathname + location.hash);
    }
    const secret = given || sessionStorage.getItem(`podium.order.${orderId}`) || "";
    if (!secret) {
      // Back from the bank in another tab or browser: the link in the mail opens the order.
      fill(main, title(t("shop.title")), el("p", { class: "notice" }, t("order.use_mail")));
      return;
    }
    const q = `secret=${encodeURIComponent(secret)}`;
    let order = await api("GET", `/public/orders/${orderId}?${q}`);
    const status = el("div", { id: "order-status", role: "status", "aria-live": "polite" });
    const body = el("div", {});
    fill(main, title(t("order.title", { code: order.code })), status, body);

    async function waitForPaid() {
      for (let i = 0; i < 120 && order.status === "pending"; i++) {
        await new Promise((r) => { setTimeout(r, 1000); });
        order = await api("GET", `/public/orders/${orderId}?${q}`);
      }
      show();
    }

    // The tickets per performance: what, when and where, then each ticket's QR code.
    function tickets() {
      const place = (ticket, show) => (ticket.seat_key
        ? seatText(ticket.seat_key, show && show.sections)
        : t("picker.standing_place", { area: (show && show.areas[ticket.area_code]) || ticket.area_code }));
      let n = 0;
      return el("section", { class: "card", "aria-labelledby": "tickets-title" },
        el("h2", { id: "tickets-title" }, t("shop.tickets")),
        el("p", {}, el("a", { class: "button", id: "download", href: `/public/orders/${orderId}/tickets.pdf?${q}`, download: `${order.code}.pdf` },
          t("order.download"))),
        order.performances.map((show) => el("section", { class: "order-show", "aria-label": localized(show.title) },
          el("h3", {}, localized(show.title)),
          el("p", { class: "when" }, `${when(show.starts_at)} · ${show.house_name}`),
          el("p", { class: "muted" }, `${show.venue_name}, ${show.city} · ${show.hall_name}`),
          el("div", { class: "grid" }, order.tickets.filter((ticket) => ticket.performance_id === show.id)
            .map((ticket) => {
              n += 1;
              return el("figure", { class: "card" },
                qrImage(`/public/orders/${orderId}/tickets/${ticket.id}/qr.png?${q}`, t("order.qr", { n })),
                el("figcaption", {}, `${place(ticket, show)} · ${money(ticket.price_cents)}`));
            })))));
    }

    // The tickets are issued by a worker just after the payment: try again for a while.
    function qrImage(src, alt) {
      const image = el("img", { src, width: "200", height: "200", alt });
      let tries = 0;
      image.addEventListener("error", () => {
        if (tries++ < 30) setTimeout(() => { image.src = `${src}&try=${tries}`; }, 1000);
      });
      return image;
    }

    async function payment() {
      let start;
      try {
        start = await api("POST", `/public/orders/${orderId}/payment?${q}`);
      } catch (error) {
        return el("p", { class: "notice error" }, `${t("pay.unavailable")} ${explain(error)}`);
      }
      const box = el("section", { class: "card", "aria-labelledby": "pay-title" }, el("h2", { id: "pay-title" }, t("pay.title")));
      const error = el("div", { role: "alert", id: "pay-error" });
      if (start.test_mode) {
        const input = el("input", { id: "card", inputmode: "numeric", autocomplete: "off", placeholder: "4242 4242 4242 4242" });
        const form = el("form", { id: "pay-form" },
          el("p", { class: "notice test-mode", id: "test-mode" }, t("pay.test")),
          el("div", { class: "field" }, el("label", { for: "card" }, t("pay.card")), input),
          error, el("button", { type: "submit", id: "pay" }, t("pay.button", { amount: money(start.amount_cents) })));
        form.addEventListener("submit", async (event) => {
          event.preventDefault();
          fill(error);
          const button = document.getElementById("pay");
          button.disabled = true;
          try {
            // Started again first: after a declined card the next try needs a new intent.
            await api("POST", `/public/orders/${orderId}/payment?${q}`);
            await api("POST", `/public/orders/${orderId}/test-payment?${q}`, { card_number: input.value });
            announce(status, t("pay.waiting"), "ok");
            form.remove();
            await waitForPaid();
          } catch (failure) {
            button.disabled = false;
            input.setAttribute("aria-invalid", "true");
            fill(error, el("p", { class: "notice error" }, explain(failure)));
          }
        });
        box.append(form);
      } else {
        // Production: Stripe's Payment Element (card, Bancontact), loaded from Stripe.
        const mount = el("div", { id: "payment-element" });
        const button = el("button", { type: "button", id: "pay" }, t("pay.button", { amount: money(start.amount_cents) }));
        box.append(mount, error, button);
        const script = el("script", { src: "https://js.stripe.com/v3/" });
        script.addEventListener("load", () => {
          const stripe = window.Stripe(start.publishable_key);
          const elements = stripe.elements({ clientSecret: start.client_secret, locale: Podium.lang });
          elements.create("payment").mount(mount);
          button.addEventListener("click", async () => {
            const result = await stripe.confirmPayment({ elements,
              confirmParams: { return_url: `${location.origin}${location.pathname}` } });
            if (result.error) fill(error, el("p", { class: "notice error" }, result.error.message));
          });
        });
        document.head.append(script);
      }
      return box;
    }

    async function show() {
      if (order.status === "paid") {
        announce(status, t("order.paid"), "ok");
        fill(body, tickets());
      } else if (order.status === "pending") {
        announce(status, t("order.pending"));
        fill(body, await payment());
      } else if (order.status === "expired") {
        announce(status, t("order.expired"), "error");
        fill(body);
      } else {
        announce(status, t("order.cancelled"), "error");
        fill(body);
      }
    }
    await show();
  }

  // ---- routing ----------------------------------------------------------------------------
  async function route() {
    while (timers.length) clearInterval(timers.pop());
    onBasketChange = null;
    const parts = location.pathname.replace(/\/+$/, "").split("/").slice(2);
    Podium.languageSwitch(document.getElementById("languages"));
    const kept = basket.get();
    if (kept && parts[0] !== "basket") currentHold().then(showBasketLink).catch(() => {});
    try {
      if (parts[0] === "clusters" && parts[1]) await programme("cluster", parts[1]);
      else if (parts[0] === "houses" && parts[1]) await programme("house", parts[1]);
      else if (parts[0] === "events" && parts[2] === "performances" && parts[3]) await picker(parts[1], parts[3]);
      else if (parts[0] === "events" && parts[1]) await eventPage(parts[1]);
      else if (parts[0] === "basket") await basketPage();
      else if (parts[0] === "orders" && parts[1]) await orderPage(parts[1]);
      else await programme("cluster", new URLSearchParams(location.search).get("cluster") || "gent");
    } catch (error) {
      fill(main, el("h1", {}, t("shop.title")), el("p", { class: "notice error", role: "alert" }, explain(error)));
    }
    document.body.dataset.ready = "true";
  }

  document.addEventListener("podium:language", async () => {
    document.body.dataset.ready = "false";
    await route();
    Podium.focusLanguage();
  });
  route();
})();
