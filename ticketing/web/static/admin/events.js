// Events: the list (search, status), creating and editing one (titles and descriptions
// in nl/fr/en, genre, ages, status), its performances (hall, times in Brussels, prices
// per zone of the hall's seat map, status, sale windows), its tariffs, and its state in
// UiTdatabank.
"use strict";

(() => {
  const { el, fill, t, words, localized, money } = Podium;
  const A = Admin;
  const PAGE = 50;
  const LANGUAGES = [["nl", "Nederlands"], ["fr", "Français"], ["en", "English"]];
  const EVENT_STATUSES = ["draft", "published", "archived"];
  const NEXT = { draft: ["on_sale", "cancelled"], on_sale: ["sold_out", "cancelled", "draft"],
    sold_out: ["on_sale", "cancelled"], cancelled: [] };
  const KINDS = ["base", "reduced", "youth", "senior", "group", "school", "complimentary", "uitpas"];
  const RULES = ["percent_off", "amount_off", "fixed", "free", "uitpas"];
  const openPanels = new Set(); // performances whose edit panel stays open across redraws

  words({
    nl: {
      "events.title": "Evenementen", "events.new": "Nieuw evenement", "events.search": "Zoeken op titel",
      "events.status_filter": "Status", "events.any_status": "Alle", "events.find": "Zoeken",
      "events.none": "Geen evenementen gevonden.", "events.more": "Meer tonen", "events.found": "{n} evenementen.",
      "events.col_title": "Titel", "events.col_genre": "Genre", "events.col_ages": "Leeftijd", "events.col_status": "Status",
      "events.back": "Alle evenementen", "events.create": "Evenement aanmaken",
      "events.created": "Evenement aangemaakt. Voeg nu voorstellingen toe.", "events.details": "Gegevens",
      "events.title_label": "Titel", "events.description": "Beschrijving", "events.genre": "Genre",
      "events.choose_genre": "Kies een genre", "events.age_min": "Minimumleeftijd", "events.age_max": "Maximumleeftijd",
      "events.ages": "{min}–{max} jaar", "events.from_age": "vanaf {min} jaar", "events.to_age": "tot {max} jaar",
      "events.status": "Status", "events.shop": "Bekijk in de shop",
      "events.lang_hint": "Nederlands is verplicht; Frans en Engels zijn welkom.",
      "event.draft": "Ontwerp", "event.published": "Gepubliceerd", "event.archived": "Gearchiveerd",
      "perf.title": "Voorstellingen", "perf.none": "Nog geen voorstellingen.", "perf.when": "Datum",
      "perf.hall": "Zaal", "perf.status": "Status", "perf.prices": "Prijzen", "perf.places": "Plaatsen",
      "perf.new": "Voorstelling toevoegen", "perf.create": "Voorstelling toevoegen", "perf.created": "Voorstelling toegevoegd.",
      "perf.choose_hall": "Kies een zaal", "perf.layout": "Versie van het zaalplan", "perf.newest": "Nieuwste versie",
      "perf.version": "versie {v}", "perf.starts": "Begin", "perf.ends": "Einde",
      "perf.zone_prices": "Prijs per rang", "perf.pick_hall": "Kies eerst een zaal: de rangen komen uit haar zaalplan.",
      "perf.no_layout": "Deze zaal heeft nog geen zaalplan.", "perf.draw": "Teken het zaalplan",
      "perf.windows": "Verkoopperiodes (leeg: online tot het begin, kassa tot het einde)",
      "perf.online_from": "Online te koop vanaf", "perf.online_until": "Online te koop tot",
      "perf.box_from": "Kassa verkoopt vanaf", "perf.box_until": "Kassa verkoopt tot",
      "perf.reentry": "Opnieuw binnen na een uitgangsscan", "perf.edit": "Bewerken",
      "perf.edit_label": "Voorstelling van {when} bewerken", "perf.new_status": "Nieuwe status",
      "perf.change_status": "Status wijzigen", "perf.status_changed": "Status gewijzigd: {status}.",
      "perf.final": "Geannuleerd: deze voorstelling verandert niet meer.",
      "perf.times": "Tijden en verkoopperiodes", "perf.save_times": "Tijden opslaan",
      "perf.save_prices": "Prijzen opslaan", "perf.prices_saved": "Prijzen opgeslagen.",
      "perf.confirm_cancel": "Deze voorstelling annuleren? Dat kan niet ongedaan gemaakt worden.",
      "perf.layout_v": "zaalplan v{v}", "perf.seats": "{n} zitplaatsen", "perf.standing": "{n} staanplaatsen",
      "status.draft": "Ontwerp", "status.on_sale": "Te koop", "status.sold_out": "Uitverkocht", "status.cancelled": "Geannuleerd",
      "tariffs.title": "Tarieven", "tariffs.code": "Code", "tariffs.name": "Naam", "tariffs.kind": "Soort",
      "tariffs.rule": "Prijsregel", "tariffs.value": "Waarde", "tariffs.max": "Max. per bestelling",
      "tariffs.staff": "Enkel aan de kassa", "tariffs.check": "Bewijs controleren aan de deur",
      "tariffs.new": "Tarief toevoegen", "tariffs.create": "Tarief toevoegen", "tariffs.created": "Tarief toegevoegd.",
      "tariffs.code_hint": "Hoofdletters en cijfers, bijvoorbeeld U26.",
      "tariffs.percent": "Korting in procent", "tariffs.amount": "Korting in euro", "tariffs.fixed": "Prijs in euro",
      "tariffs.delete_confirm": "Tarief {code} verwijderen?", "tariffs.deleted": "Tarief verwijderd.",
      "tariffs.edit_label": "Tarief {code} bewerken", "tariffs.delete_label": "Tarief {code} verwijderen",
      "tariffs.max_hint": "Leeg: geen grens.", "tariffs.zone_price": "Prijs van de rang",
      "kind.base": "Normaal", "kind.reduced": "Korting", "kind.youth": "-26", "kind.senior": "65+",
      "kind.group": "Groep", "kind.school": "School", "kind.complimentary": "Vrijkaart", "kind.uitpas": "UiTPAS-kansentarief",
      "rule.percent_off": "Procent korting", "rule.amount_off": "Bedrag korting", "rule.fixed": "Vaste prijs",
      "rule.free": "Gratis", "rule.uitpas": "Prijs via UiTPAS",
      "udb.title": "UiTdatabank", "udb.environment": "Omgeving", "udb.pending": "Wijzigingen die nog vertrekken",
      "udb.none": "Nog niet naar UiTdatabank gestuurd (alleen gepubliceerde evenementen gaan mee).",
      "udb.venue": "Locatie", "udb.state": "Toestand", "udb.id": "UiTdatabank-id",
      "udb.last_attempt": "Laatste poging", "udb.last_success": "Laatste gelukte synchronisatie",
      "udb.last_error": "Laatste fout", "udb.schema_errors": "Fouten in de gegevens",
      "udb.sync": "Opnieuw synchroniseren", "udb.reload": "Vernieuwen",
      "udb.queued": "Het evenement wordt opnieuw naar UiTdatabank gestuurd.", "udb.reloaded": "Toestand vernieuwd.",
    },
    fr: {
      "events.title": "Événements", "events.new": "Nouvel événement", "events.search": "Chercher par titre",
      "events.status_filter": "Statut", "events.any_status": "Tous", "events.find": "Chercher",
      "events.none": "Aucun événement trouvé.", "events.more": "Afficher plus", "events.found": "{n} événements.",
      "events.col_title": "Titre", "events.col_genre": "Genre", "events.col_ages": "Âge", "events.col_status": "Statut",
      "events.back": "Tous les événements", "events.create": "Créer l'événement",
      "events.created": "Événement créé. Ajoutez maintenant des représentations.", "events.details": "Données",
      "events.title_label": "Titre", "events.description": "Description", "events.genre": "Genre",
      "events.choose_genre": "Choisissez un genre", "events.age_min": "Âge minimum", "events.age_max": "Âge maximum",
      "events.ages": "{min}–{max} ans", "events.from_age": "dès {min} ans", "events.to_age": "jusqu'à {max} ans",
      "events.status": "Statut", "events.shop": "Voir dans la billetterie",
      "events.lang_hint": "Le néerlandais est obligatoire ; le français et l'anglais sont bienvenus.",
      "event.draft": "Brouillon", "event.published": "Publié", "event.archived": "Archivé",
      "perf.title": "Représentations", "perf.none": "Pas encore de représentations.", "perf.when": "Date",
      "perf.hall": "Salle", "perf.status": "Statut", "perf.prices": "Prix", "perf.places": "Places",
      "perf.new": "Ajouter une représentation", "perf.create": "Ajouter la représentation", "perf.created": "Représentation ajoutée.",
      "perf.choose_hall": "Choisissez une salle", "perf.layout": "Version du plan de salle", "perf.newest": "Dernière version",
      "perf.version": "version {v}", "perf.starts": "Début", "perf.ends": "Fin",
      "perf.zone_prices": "Prix par catégorie", "perf.pick_hall": "Choisissez d'abord une salle : les catégories viennent de son plan.",
      "perf.no_layout": "Cette salle n'a pas encore de plan.", "perf.draw": "Dessiner le plan",
      "perf.windows": "Périodes de vente (vide : en ligne jusqu'au début, caisse jusqu'à la fin)",
      "perf.online_from": "En vente en ligne dès", "perf.online_until": "En vente en ligne jusqu'au",
      "perf.box_from": "Caisse vend dès", "perf.box_until": "Caisse vend jusqu'au",
      "perf.reentry": "Rentrer après un scan de sortie", "perf.edit": "Modifier",
      "perf.edit_label": "Modifier la représentation du {when}", "perf.new_status": "Nouveau statut",
      "perf.change_status": "Changer le statut", "perf.status_changed": "Statut changé : {status}.",
      "perf.final": "Annulée : cette représentation ne change plus.",
      "perf.times": "Horaires et périodes de vente", "perf.save_times": "Enregistrer les horaires",
      "perf.save_prices": "Enregistrer les prix", "perf.prices_saved": "Prix enregistrés.",
      "perf.confirm_cancel": "Annuler cette représentation ? C'est définitif.",
      "perf.layout_v": "plan v{v}", "perf.seats": "{n} places assises", "perf.standing": "{n} places debout",
      "status.draft": "Brouillon", "status.on_sale": "En vente", "status.sold_out": "Complet", "status.cancelled": "Annulée",
      "tariffs.title": "Tarifs", "tariffs.code": "Code", "tariffs.name": "Nom", "tariffs.kind": "Type",
      "tariffs.rule": "Règle de prix", "tariffs.value": "Valeur", "tariffs.max": "Max. par commande",
      "tariffs.staff": "Seulement à la caisse", "tariffs.check": "Justificatif contrôlé à l'entrée",
      "tariffs.new": "Ajouter un tarif", "tariffs.create": "Ajouter le tarif", "tariffs.created": "Tarif ajouté.",
      "tariffs.code_hint": "Majuscules et chiffres, par exemple U26.",
      "tariffs.percent": "Réduction en pour cent", "tariffs.amount": "Réduction en euros", "tariffs.fixed": "Prix en euros",
      "tariffs.delete_confirm": "Supprimer le tarif {code} ?", "tariffs.deleted": "Tarif supprimé.",
      "tariffs.edit_label": "Modifier le tarif {code}", "tariffs.delete_label": "Supprimer le tarif {code}",
      "tariffs.max_hint": "Vide : pas de limite.", "tariffs.zone_price": "Prix de la catégorie",
      "kind.base": "Normal", "kind.reduced": "Réduit", "kind.youth": "-26", "kind.senior": "65+",
      "kind.group": "Groupe", "kind.school": "École", "kind.complimentary": "Invitation", "kind.uitpas": "Tarif social UiTPAS",
      "rule.percent_off": "Réduction en %", "rule.amount_off": "Réduction en euros", "rule.fixed": "Prix fixe",
      "rule.free": "Gratuit", "rule.uitpas": "Prix par UiTPAS",
      "udb.title": "UiTdatabank", "udb.environment": "Environnement", "udb.pending": "Changements pas encore envoyés",
      "udb.none": "Pas encore envoyé à UiTdatabank (seuls les événements publiés y vont).",
      "udb.venue": "Lieu", "udb.state": "État", "udb.id": "Id UiTdatabank",
      "udb.last_attempt": "Dernier essai", "udb.last_success": "Dernière synchronisation réussie",
      "udb.last_error": "Dernière erreur", "udb.schema_errors": "Erreurs dans les données",
      "udb.sync": "Synchroniser à nouveau", "udb.reload": "Actualiser",
      "udb.queued": "L'événement est renvoyé à UiTdatabank.", "udb.reloaded": "État actualisé.",
    },
    en: {
      "events.title": "Events", "events.new": "New event", "events.search": "Search by title",
      "events.status_filter": "Status", "events.any_status": "All", "events.find": "Search",
      "events.none": "No events found.", "events.more": "Show more", "events.found": "{n} events.",
      "events.col_title": "Title", "events.col_genre": "Genre", "events.col_ages": "Ages", "events.col_status": "Status",
      "events.back": "All events", "events.create": "Create event",
      "events.created": "Event created. Now add performances.", "events.details": "Details",
      "events.title_label": "Title", "events.description": "Description", "events.genre": "Genre",
      "events.choose_genre": "Choose a genre", "events.age_min": "Minimum age", "events.age_max": "Maximum age",
      "events.ages": "{min}–{max} years", "events.from_age": "from {min}", "events.to_age": "up to {max}",
      "events.status": "Status", "events.shop": "See it in the shop",
      "events.lang_hint": "Dutch is required; French and English are welcome.",
      "event.draft": "Draft", "event.published": "Published", "event.archived": "Archived",
      "perf.title": "Performances", "perf.none": "No performances yet.", "perf.when": "Date",
      "perf.hall": "Hall", "perf.status": "Status", "perf.prices": "Prices", "perf.places": "Places",
      "perf.new": "Add a performance", "perf.create": "Add performance", "perf.created": "Performance added.",
      "perf.choose_hall": "Choose a hall", "perf.layout": "Seat map version", "perf.newest": "Newest version",
      "perf.version": "version {v}", "perf.starts": "Starts", "perf.ends": "Ends",
      "perf.zone_prices": "Price per zone", "perf.pick_hall": "Choose a hall first: the zones come from its seat map.",
      "perf.no_layout": "This hall has no seat map yet.", "perf.draw": "Draw the seat map",
      "perf.windows": "Sale windows (empty: online until the start, box office until the end)",
      "perf.online_from": "Online sales from", "perf.online_until": "Online sales until",
      "perf.box_from": "Box office sells from", "perf.box_until": "Box office sells until",
      "perf.reentry": "Back in after an exit scan", "perf.edit": "Edit",
      "perf.edit_label": "Edit the performance of {when}", "perf.new_status": "New status",
      "perf.change_status": "Change status", "perf.status_changed": "Status changed: {status}.",
      "perf.final": "Cancelled: this performance does not change any more.",
      "perf.times": "Times and sale windows", "perf.save_times": "Save times",
      "perf.save_prices": "Save prices", "perf.prices_saved": "Prices saved.",
      "perf.confirm_cancel": "Cancel this performance? This cannot be undone.",
      "perf.layout_v": "seat map v{v}", "perf.seats": "{n} seats", "perf.standing": "{n} standing",
      "status.draft": "Draft", "status.on_sale": "On sale", "status.sold_out": "Sold out", "status.cancelled": "Cancelled",
      "tariffs.title": "Tariffs", "tariffs.code": "Code", "tariffs.name": "Name", "tariffs.kind": "Kind",
      "tariffs.rule": "Price rule", "tariffs.value": "Value", "tariffs.max": "Max. per order",
      "tariffs.staff": "Box office only", "tariffs.check": "Proof checked at the door",
      "tariffs.new": "Add a tariff", "tariffs.create": "Add tariff", "tariffs.created": "Tariff added.",
      "tariffs.code_hint": "Capitals and digits, for example U26.",
      "tariffs.percent": "Reduction in percent", "tariffs.amount": "Reduction in euros", "tariffs.fixed": "Price in euros",
      "tariffs.delete_confirm": "Delete tariff {code}?", "tariffs.deleted": "Tariff deleted.",
      "tariffs.edit_label": "Edit tariff {code}", "tariffs.delete_label": "Delete tariff {code}",
      "tariffs.max_hint": "Empty: no limit.", "tariffs.zone_price": "The zone's price",
      "kind.base": "Standard", "kind.reduced": "Reduced", "kind.youth": "Under 26", "kind.senior": "65+",
      "kind.group": "Group", "kind.school": "School", "kind.complimentary": "Complimentary", "kind.uitpas": "UiTPAS social tariff",
      "rule.percent_off": "Percent off", "rule.amount_off": "Amount off", "rule.fixed": "Fixed price",
      "rule.free": "Free", "rule.uitpas": "Priced by UiTPAS",
      "udb.title": "UiTdatabank", "udb.environment": "Environment", "udb.pending": "Changes still to be sent",
      "udb.none": "Not sent to UiTdatabank yet (only published events go there).",
      "udb.venue": "Venue", "udb.state": "State", "udb.id": "UiTdatabank id",
      "udb.last_attempt": "Last attempt", "udb.last_success": "Last successful sync",
      "udb.last_error": "Last error", "udb.schema_errors": "Errors in the data",
      "udb.sync": "Sync again", "udb.reload": "Refresh",
      "udb.queued": "The event is being sent to UiTdatabank again.", "udb.reloaded": "State refreshed.",
    },
  });

  const typeName = (type) => (type ? type[Podium.lang] || type.nl : "");

  function ages(event) {
    if (event.age_min != null && event.age_max != null) return t("events.ages", { min: event.age_min, max: event.age_max });
    if (event.age_min != null) return t("events.from_age", { min: event.age_min });
    if (event.age_max != null) return t("events.to_age", { max: event.age_max });
    return t("form.none");
  }

  // ---- the list ------------------------------------------------------------------------
  async function listPage() {
    const params = new URLSearchParams(location.search);
    const q = A.input({ id: "event-search", type: "search", name: "q", value: params.get("q") || "", autocomplete: "off" });
    const status = A.select({ id: "event-status-filter", name: "status" },
      [["", t("events.any_status")], ...EVENT_STATUSES.map((s) => [s, t(`event.${s}`)])], params.get("status") || "");
    const results = el("div", { id: "event-results" });
    let offset = 0;
    let shown = [];

    async function load(more) {
      offset = more ? offset + PAGE : 0;
      const query = new URLSearchParams({ house_id: A.state.house.id, limit: PAGE, offset });
      if (q.value.trim()) query.set("q", q.value.trim());
      if (status.value) query.set("status", status.value);
      const found = await A.call("GET", `/events?${query}`);
      shown = more ? shown.concat(found) : found;
      fill(results, shown.length ? A.table(t("events.title"),
        [t("events.col_title"), t("events.col_genre"), t("events.col_ages"), t("events.col_status")],
        shown.map((e) => el("tr", { "data-event": e.id },
          el("td", {}, el("a", { href: `/admin/events/${e.id}` }, localized(e.title))),
          el("td", {}, typeName(e.event_type)), el("td", {}, ages(e)),
          el("td", {}, A.badge(e.status, t(`event.${e.status}`))))))
        : el("p", { class: "muted" }, t("events.none")),
      found.length === PAGE ? A.action({ class: "secondary", id: "more-events" }, t("events.more"), () => load(true)) : null);
      return shown.length;
    }

    const search = el("form", { role: "search", class: "filters", id: "event-filters", onsubmit: async (e) => {
      e.preventDefault();
      const kept = new URLSearchParams();
      if (q.value.trim()) kept.set("q", q.value.trim());
      if (status.value) kept.set("status", status.value);
      history.replaceState(null, "", `/admin/events${kept.toString() ? `?${kept}` : ""}`);
      try {
        A.say(t("events.found", { n: await load(false) }));
      } catch (failure) { A.say(Podium.explain(failure), "error"); }
    } }, A.field(t("events.search"), q), A.field(t("events.status_filter"), status),
    el("button", { type: "submit" }, t("events.find")));
    status.addEventListener("change", () => search.requestSubmit());
    await load(false);
    A.page(t("events.title"),
      el("p", {}, el("a", { class: "button", href: "/admin/events/new", id: "new-event" }, t("events.new"))),
      el("section", { class: "card", "aria-label": t("events.title") }, search, results));
  }

  // ---- the event's own fields ----------------------------------------------------------
  function eventFields(event, types) {
    const e = event || { title: {}, description: {} };
    const inputs = {};
    const languages = LANGUAGES.map(([code, name]) => {
      inputs[`title.${code}`] = A.input({ id: `event-title-${code}`, lang: code, value: e.title[code] || "",
        autocomplete: "off", maxlength: "300", required: code === "nl" });
      inputs[`description.${code}`] = el("textarea", { id: `event-description-${code}`, lang: code, rows: "3" },
        e.description[code] || "");
      return el("fieldset", { class: "language" }, el("legend", {}, name),
        A.field(t("events.title_label"), inputs[`title.${code}`], { name: `title.${code}`, required: code === "nl" }),
        A.field(t("events.description"), inputs[`description.${code}`], { name: `description.${code}` }));
    });
    inputs.genre = A.select({ id: "event-genre", required: true },
      [["", t("events.choose_genre")], ...types.map((ty) => [ty.id, typeName(ty)])], e.event_type ? e.event_type.id : "");
    inputs.age_min = A.input({ id: "event-age-min", type: "number", min: "0", max: "120", inputmode: "numeric",
      value: e.age_min == null ? "" : e.age_min });
    inputs.age_max = A.input({ id: "event-age-max", type: "number", min: "0", max: "120", inputmode: "numeric",
      value: e.age_max == null ? "" : e.age_max });
    if (event) {
      inputs.status = A.select({ id: "event-status" }, EVENT_STATUSES.map((s) => [s, t(`event.${s}`)]), event.status);
    }
    const fields = el("div", {},
      el("p", { class: "hint" }, t("events.lang_hint")),
      el("div", { class: "languages-grid" }, languages),
      el("div", { class: "form-grid" },
        A.field(t("events.genre"), inputs.genre, { name: "event_type_id", required: true }),
        A.field(t("events.age_min"), inputs.age_min, { name: "age_min" }),
        A.field(t("events.age_max"), inputs.age_max, { name: "age_max" }),
        inputs.status ? A.field(t("events.status"), inputs.status, { name: "status" }) : null));
    function body() {
      const title = {};
      const description = {};
      for (const [code] of LANGUAGES) {
        const ti = inputs[`title.${code}`].value.trim();
        const de = inputs[`description.${code}`].value.trim();
        if (ti || code === "nl") title[code] = ti;
        if (de) description[code] = de;
      }
      const out = { title, description, event_type_id: inputs.genre.value || undefined,
        age_min: A.whole(inputs.age_min.value), age_max: A.whole(inputs.age_max.value) };
      if (inputs.status) out.status = inputs.status.value;
      return out;
    }
    return { fields, body };
  }

  async function newPage() {
    const types = await A.eventTypes();
    const { fields, body } = eventFields(null, types);
    const create = A.form({ id: "event-form", "aria-labelledby": "page-title" }, [fields], t("events.create"), async () => {
      const event = await A.call("POST", "/events", Object.assign({ house_id: A.state.house.id }, body()));
      await A.go(`/admin/events/${event.id}`, t("events.created"));
    });
    A.page(t("events.new"), el("p", {}, el("a", { href: "/admin/events" }, `← ${t("events.back")}`)),
      el("section", { class: "card" }, create));
  }

  // ---- one event -----------------------------------------------------------------------
  async function eventPage(id) {
    const event = await A.call("GET", `/events/${id}`);
    // The halls of the event's own house (a cluster admin may follow a link to another).
    const [types, eventHalls, venues] = await Promise.all([A.eventTypes(),
      A.call("GET", `/halls?house_id=${event.house_id}`), A.call("GET", `/venues?house_id=${event.house_id}`)]);
    const layoutIds = [...new Set(event.performances.map((p) => p.layout_id))];
    const layouts = Object.fromEntries(await Promise.all(layoutIds.map(async (lid) => [lid, await A.call("GET", `/layouts/${lid}`)])));
    const udb = await A.call("GET", `/events/${id}/uitdatabank`).catch(() => null);
    const hallName = (hid) => { const h = eventHalls.find((x) => x.id === hid); return h ? h.name : ""; };

    const { fields, body } = eventFields(event, types);
    const details = A.form({ id: "event-form", "aria-labelledby": "event-details" }, [fields], t("form.save"), async () => {
      await A.call("PATCH", `/events/${event.id}`, body());
      await A.refresh(t("form.saved"), "event-details");
    });

    A.page(localized(event.title),
      el("p", { class: "row-flex" }, el("a", { href: "/admin/events" }, `← ${t("events.back")}`),
        A.badge(event.status, t(`event.${event.status}`)), el("span", { class: "muted" }, typeName(event.event_type)),
        event.status === "published" ? el("a", { href: `/shop/events/${event.id}` }, t("events.shop")) : null),
      performancesSection(event, eventHalls, venues, layouts, hallName),
      tariffsSection(event),
      el("section", { class: "card", "aria-labelledby": "event-details" },
        el("h2", { id: "event-details", tabindex: "-1" }, t("events.details")), details),
      uitdatabankSection(event, udb, venues));
  }

  // ---- performances --------------------------------------------------------------------
  const zoneText = (perf) => perf.prices.map((p) => `${p.zone_name || p.zone} ${money(p.amount_cents)}`).join(" · ");

  function performancesSection(event, halls, venues, layouts, hallName) {
    const rows = [];
    const sorted = event.performances.slice().sort((a, b) => a.starts_at.localeCompare(b.starts_at));
    for (const perf of sorted) {
      const panelId = `panel-${perf.id}`;
      const open = openPanels.has(perf.id);
      const toggle = el("button", { type: "button", class: "secondary small", id: `edit-${perf.id}`,
        "aria-expanded": String(open), "aria-controls": panelId,
        "aria-label": t("perf.edit_label", { when: A.longWhen(perf.starts_at) }) }, t("perf.edit"));
      const places = [perf.seat_count ? t("perf.seats", { n: perf.seat_count }) : null,
        perf.standing_capacity ? t("perf.standing", { n: perf.standing_capacity }) : null].filter(Boolean).join(", ");
      rows.push(el("tr", { "data-performance": perf.id },
        el("td", {}, A.longWhen(perf.starts_at)),
        el("td", {}, hallName(perf.hall_id), el("br"), el("span", { class: "muted small" }, t("perf.layout_v", { v: perf.layout_version }))),
        el("td", {}, A.badge(perf.status, t(`status.${perf.status}`))),
        el("td", { class: "prices" }, zoneText(perf) || t("form.none")),
        el("td", {}, places),
        el("td", {}, toggle)));
      const panelRow = el("tr", { class: "panel-row", id: panelId, hidden: !open },
        el("td", { colspan: "6" }, open ? performancePanel(perf, layouts[perf.layout_id]) : null));
      toggle.addEventListener("click", () => {
        const opening = toggle.getAttribute("aria-expanded") !== "true";
        toggle.setAttribute("aria-expanded", String(opening));
        panelRow.hidden = !opening;
        if (opening) {
          openPanels.add(perf.id);
          fill(panelRow.firstChild, performancePanel(perf, layouts[perf.layout_id]));
        } else {
          openPanels.delete(perf.id);
        }
      });
      rows.push(panelRow);
    }
    return el("section", { class: "card", "aria-labelledby": "performances-title", id: "performances" },
      el("h2", { id: "performances-title", tabindex: "-1" }, t("perf.title")),
      rows.length ? A.table(t("perf.title"),
        [t("perf.when"), t("perf.hall"), t("perf.status"), t("perf.prices"), t("perf.places"), ""], rows,
        { id: "performance-table" })
        : el("p", { class: "muted" }, t("perf.none")),
      el("details", { class: "add", id: "performance-add", open: !rows.length },
        el("summary", {}, el("h3", { id: "performance-new" }, t("perf.new"))),
        newPerformanceForm(event, halls, venues)));
  }

  // "Tijd in Brussel: dd/mm/jjjj uu:mm."
  const timeHint = () => `${t("form.time_hint").replace(/\.$/, "")}: ${Podium.dateHint(true)}.`;

  function windowInputs(prefix, perf) {
    const p = perf || {};
    const make = (name, label) => {
      const node = A.timeInput({ id: `${prefix}-${name.replaceAll("_", "-")}`, value: A.localInput(p[name]) });
      return [name, node, A.field(label, node, { name, hint: timeHint() })];
    };
    const list = [
      make("online_sales_from", t("perf.online_from")), make("online_sales_until", t("perf.online_until")),
      make("box_office_sales_from", t("perf.box_from")), make("box_office_sales_until", t("perf.box_until")),
    ];
    return {
      fields: el("div", { class: "form-grid" }, list.map((x) => x[2])),
      values: () => Object.fromEntries(list.map(([name, node]) => [name, A.fromLocalInput(node.value)])),
      anySet: list.some(([name]) => p[name]),
    };
  }

  function priceInputs(prefix, zones, prices) {
    const known = Object.fromEntries((prices || []).map((p) => [p.zone, p.amount_cents]));
    const inputs = zones.map((z) => [z, A.input({ id: `${prefix}-price-${z.code}`, inputmode: "decimal",
      autocomplete: "off", value: A.euroText(known[z.code]), "data-zone": z.code })]);
    const fields = el("div", { class: "form-grid prices-grid" }, inputs.map(([z, node]) =>
      A.field(`${z.name} (${z.code})`, node)));
    // The API names a price by its place in the list: prices.0, prices.1...
    function values() {
      const out = [];
      for (const [z, node] of inputs) {
        delete node.dataset.field;
        const amount = A.cents(node.value);
        if (amount === undefined) continue;
        node.dataset.field = `prices.${out.length}`;
        out.push({ zone: z.code, amount_cents: amount });
      }
      return out;
    }
    return { fields, values };
  }

  function newPerformanceForm(event, halls, venues) {
    const hall = A.select({ id: "perf-hall", required: true }, [["", t("perf.choose_hall")]], "");
    for (const venue of venues) {
      const own = halls.filter((h) => h.venue_id === venue.id);
      if (own.length) hall.append(el("optgroup", { label: venue.name }, own.map((h) => el("option", { value: h.id }, h.name))));
    }
    const layout = A.select({ id: "perf-layout" }, [["", t("perf.newest")]], "");
    const starts = A.timeInput({ id: "perf-starts", required: true });
    const ends = A.timeInput({ id: "perf-ends", required: true });
    const reentry = el("input", { type: "checkbox", id: "perf-reentry" });
    const zonesBox = el("div", { id: "perf-zones" }, el("p", { class: "muted" }, t("perf.pick_hall")));
    const prices = A.group(t("perf.zone_prices"), zonesBox, { id: "perf-prices", name: "prices", wide: true });
    const windows = windowInputs("perf", null);
    let priced = priceInputs("perf", [], []);
    let versions = [];

    async function showZones(ticket) {
      const chosen = versions.find((v) => v.id === layout.value) || versions[0];
      if (!chosen) {
        priced = priceInputs("perf", [], []);
        fill(zonesBox, hall.value ? el("p", { class: "muted" }, t("perf.no_layout"), " ",
          el("a", { href: `/admin/seatmaps/${hall.value}` }, t("perf.draw")))
          : el("p", { class: "muted" }, t("perf.pick_hall")));
        return;
      }
      const doc = await A.call("GET", `/layouts/${chosen.id}`);
      if (ticket !== asked) return;
      const old = Object.fromEntries([...zonesBox.querySelectorAll("input[data-zone]")].map((i) => [i.dataset.zone, i.value]));
      priced = priceInputs("perf", doc.document.price_zones, []);
      fill(zonesBox, el("p", { class: "hint" }, t("form.euro_hint")), priced.fields);
      for (const node of zonesBox.querySelectorAll("input[data-zone]")) node.value = old[node.dataset.zone] || "";
    }

    let asked = 0; // only the answer to the latest choice counts
    async function hallChanged() {
      const ticket = ++asked;
      try {
        const found = hall.value ? await A.call("GET", `/halls/${hall.value}/layouts`) : [];
        if (ticket !== asked) return;
        versions = found.sort((a, b) => b.version - a.version);
        fill(layout, el("option", { value: "" }, versions.length
          ? `${t("perf.newest")} (${t("perf.version", { v: versions[0].version })})` : t("perf.newest")),
        versions.map((v) => el("option", { value: v.id }, `${t("perf.version", { v: v.version })} · ${v.name}`)));
        await showZones(ticket);
      } catch (failure) { A.say(Podium.explain(failure), "error"); }
    }
    hall.addEventListener("change", hallChanged);
    layout.addEventListener("change", () => showZones(++asked).catch((failure) => A.say(Podium.explain(failure), "error")));
    // A performance usually lasts two hours: a first guess for the end.
    starts.addEventListener("change", () => {
      const begin = A.fromLocalInput(starts.value);
      if (!ends.value && begin && !Number.isNaN(Date.parse(begin))) ends.value = A.localInput(new Date(Date.parse(begin) + 2 * 3600 * 1000).toISOString());
    });

    return A.form({ id: "performance-form", "aria-labelledby": "performance-new" }, [
      el("div", { class: "form-grid" },
        A.field(t("perf.hall"), hall, { name: "hall_id", required: true }),
        A.field(t("perf.layout"), layout, { name: "layout_id" }),
        A.field(t("perf.starts"), starts, { name: "starts_at", required: true, hint: timeHint() }),
        A.field(t("perf.ends"), ends, { name: "ends_at", required: true, hint: timeHint() })),
      prices,
      el("details", { class: "windows" }, el("summary", {}, t("perf.windows")), windows.fields),
      A.check(t("perf.reentry"), reentry, { name: "reentry" }),
    ], t("perf.create"), async () => {
      const body = Object.assign({
        hall_id: hall.value || undefined, layout_id: layout.value || undefined,
        starts_at: A.fromLocalInput(starts.value) || undefined, ends_at: A.fromLocalInput(ends.value) || undefined,
        prices: priced.values(), reentry: reentry.checked,
      }, Object.fromEntries(Object.entries(windows.values()).filter(([, v]) => v)));
      const perf = await A.call("POST", `/events/${event.id}/performances`, body);
      openPanels.add(perf.id);
      await A.refresh(t("perf.created"), `edit-${perf.id}`);
    });
  }

  function performancePanel(perf, layout) {
    const parts = [];
    // Status
    if (perf.status === "cancelled") {
      parts.push(el("p", { class: "notice" }, t("perf.final")));
    } else {
      const status = A.select({ id: `status-${perf.id}` }, NEXT[perf.status].map((s) => [s, t(`status.${s}`)]),
        NEXT[perf.status][0]);
      parts.push(el("section", { class: "panel-part", "aria-labelledby": `status-title-${perf.id}` },
        el("h3", { id: `status-title-${perf.id}` }, `${t("perf.status")}: ${t(`status.${perf.status}`)}`),
        A.form({ id: `status-form-${perf.id}`, class: "inline-form" },
          [A.field(t("perf.new_status"), status, { name: "status" })], t("perf.change_status"), async () => {
            if (status.value === "cancelled" && !window.confirm(t("perf.confirm_cancel"))) return;
            await A.call("PATCH", `/performances/${perf.id}`, { status: status.value });
            await A.refresh(t("perf.status_changed", { status: t(`status.${status.value}`) }), `edit-${perf.id}`);
          })));
    }
    // Prices
    const zones = layout ? layout.document.price_zones : [];
    const priced = priceInputs(`p-${perf.id}`, zones, perf.prices);
    parts.push(el("section", { class: "panel-part", "aria-labelledby": `prices-title-${perf.id}` },
      el("h3", { id: `prices-title-${perf.id}` }, t("perf.prices")),
      A.form({ id: `prices-form-${perf.id}` }, [el("p", { class: "hint" }, t("form.euro_hint")),
        A.group(t("perf.zone_prices"), priced.fields, { name: "prices", id: `prices-${perf.id}`, bare: true })],
      t("perf.save_prices"), async () => {
        await A.call("PUT", `/performances/${perf.id}/prices`, { prices: priced.values() });
        await A.refresh(t("perf.prices_saved"), `edit-${perf.id}`);
      })));
    // Times and sale windows
    const prefix = `p-${perf.id}`;
    const starts = A.timeInput({ id: `${prefix}-starts`, value: A.localInput(perf.starts_at) });
    const ends = A.timeInput({ id: `${prefix}-ends`, value: A.localInput(perf.ends_at) });
    const reentry = el("input", { type: "checkbox", id: `${prefix}-reentry`, checked: perf.reentry });
    const windows = windowInputs(prefix, perf);
    parts.push(el("section", { class: "panel-part", "aria-labelledby": `times-title-${perf.id}` },
      el("h3", { id: `times-title-${perf.id}` }, t("perf.times")),
      A.form({ id: `times-form-${perf.id}` }, [
        el("div", { class: "form-grid" },
          A.field(t("perf.starts"), starts, { name: "starts_at", hint: timeHint() }),
          A.field(t("perf.ends"), ends, { name: "ends_at", hint: timeHint() })),
        windows.fields, A.check(t("perf.reentry"), reentry, { name: "reentry" }),
      ], t("perf.save_times"), async () => {
        await A.call("PATCH", `/performances/${perf.id}`, Object.assign({
          starts_at: A.fromLocalInput(starts.value) || undefined, ends_at: A.fromLocalInput(ends.value) || undefined,
          reentry: reentry.checked }, windows.values()));
        await A.refresh(t("form.saved"), `edit-${perf.id}`);
      })));
    return el("div", { class: "panel" }, parts);
  }

  // ---- tariffs -------------------------------------------------------------------------
  function ruleText(tariff) {
    switch (tariff.rule) {
      case "percent_off": return tariff.value ? `−${tariff.value} %` : t("tariffs.zone_price");
      case "amount_off": return `− ${money(tariff.value)}`;
      case "fixed": return money(tariff.value);
      default: return t(`rule.${tariff.rule}`);
    }
  }

  function tariffFields(tariff, prefix) {
    const x = tariff || { name: {}, kind: "reduced", rule: "percent_off", value: 0 };
    const code = A.input({ id: `${prefix}-code`, value: x.code || "", autocomplete: "off", spellcheck: "false",
      maxlength: "16", required: true, disabled: Boolean(tariff) });
    const names = LANGUAGES.map(([lang]) => A.input({ id: `${prefix}-name-${lang}`, lang, value: x.name[lang] || "",
      autocomplete: "off", required: lang === "nl" }));
    const kind = A.select({ id: `${prefix}-kind`, disabled: Boolean(tariff) }, KINDS.map((k) => [k, t(`kind.${k}`)]), x.kind);
    const rule = A.select({ id: `${prefix}-rule` }, RULES.map((r) => [r, t(`rule.${r}`)]), x.rule);
    const value = A.input({ id: `${prefix}-value`, inputmode: "decimal", autocomplete: "off",
      value: x.rule === "percent_off" ? String(x.value) : A.euroText(x.value) });
    const max = A.input({ id: `${prefix}-max`, type: "number", min: "1", max: "100", inputmode: "numeric",
      value: x.max_per_order == null ? "" : x.max_per_order });
    const staff = el("input", { type: "checkbox", id: `${prefix}-staff`, checked: x.staff_only });
    const proof = el("input", { type: "checkbox", id: `${prefix}-check`, checked: x.requires_check });
    const valueField = A.field(t("tariffs.value"), value, { name: "value" });
    const valueLabel = valueField.querySelector("label");

    function ruleChanged() {
      const key = { percent_off: "tariffs.percent", amount_off: "tariffs.amount", fixed: "tariffs.fixed" }[rule.value];
      valueField.hidden = !key;
      if (key) { valueLabel.textContent = t(key); value.dataset.label = t(key); }
    }
    rule.addEventListener("change", ruleChanged);
    kind.addEventListener("change", () => {
      if (kind.value === "complimentary") { rule.value = "free"; staff.checked = true; }
      else if (kind.value === "uitpas") rule.value = "uitpas";
      else if (["free", "uitpas"].includes(rule.value)) rule.value = "percent_off";
      ruleChanged();
    });
    ruleChanged();

    const fields = el("div", {},
      el("div", { class: "form-grid" },
        A.field(t("tariffs.code"), code, { name: "code", required: true, hint: tariff ? null : t("tariffs.code_hint") }),
        LANGUAGES.map(([lang, language], i) => A.field(`${t("tariffs.name")} (${language})`, names[i],
          { name: `name.${lang}`, required: lang === "nl" })),
        A.field(t("tariffs.kind"), kind, { name: "kind" }),
        A.field(t("tariffs.rule"), rule, { name: "rule" }),
        valueField,
        A.field(t("tariffs.max"), max, { name: "max_per_order", hint: t("tariffs.max_hint") })),
      el("div", { class: "checks" }, A.check(t("tariffs.staff"), staff, { name: "staff_only" }),
        A.check(t("tariffs.check"), proof, { name: "requires_check" })));

    function body() {
      const name = {};
      LANGUAGES.forEach(([lang], i) => { const v = names[i].value.trim(); if (v || lang === "nl") name[lang] = v; });
      let amount = 0;
      if (rule.value === "percent_off") amount = A.whole(value.value);
      else if (["amount_off", "fixed"].includes(rule.value)) amount = A.cents(value.value);
      const out = { name, rule: rule.value, value: amount === undefined ? 0 : amount,
        max_per_order: A.whole(max.value), staff_only: staff.checked, requires_check: proof.checked };
      if (!tariff) Object.assign(out, { code: code.value.trim().toUpperCase(), kind: kind.value });
      return out;
    }
    return { fields, body };
  }

  function tariffsSection(event) {
    const rows = [];
    for (const tariff of event.tariffs.slice().sort((a, b) => a.position - b.position || a.code.localeCompare(b.code))) {
      const panelId = `tariff-panel-${tariff.id}`;
      const editButton = el("button", { type: "button", class: "secondary small", id: `tariff-edit-${tariff.code}`,
        "aria-expanded": "false", "aria-controls": panelId, "aria-label": t("tariffs.edit_label", { code: tariff.code }) },
      t("form.edit"));
      const remove = tariff.kind === "base" ? null : A.action({ class: "danger small", id: `tariff-delete-${tariff.code}`,
        "aria-label": t("tariffs.delete_label", { code: tariff.code }) }, t("form.delete"), async () => {
        if (!window.confirm(t("tariffs.delete_confirm", { code: tariff.code }))) return;
        await A.call("DELETE", `/tariffs/${tariff.id}`);
        await A.refresh(t("tariffs.deleted"), "tariffs-title");
      });
      rows.push(el("tr", { "data-tariff": tariff.code },
        el("td", {}, el("code", {}, tariff.code)), el("td", {}, localized(tariff.name)),
        el("td", {}, t(`kind.${tariff.kind}`)), el("td", {}, ruleText(tariff)),
        el("td", { class: "num" }, tariff.max_per_order == null ? t("form.none") : String(tariff.max_per_order)),
        el("td", {}, tariff.staff_only ? t("form.yes") : t("form.no")),
        el("td", {}, tariff.requires_check ? t("form.yes") : t("form.no")),
        el("td", { class: "actions-cell" }, editButton, remove)));
      const panel = el("tr", { class: "panel-row", id: panelId, hidden: true }, el("td", { colspan: "8" }));
      editButton.addEventListener("click", () => {
        const opening = editButton.getAttribute("aria-expanded") !== "true";
        editButton.setAttribute("aria-expanded", String(opening));
        panel.hidden = !opening;
        if (!opening) { fill(panel.firstChild); return; }
        const prefix = `tariff-${tariff.id}`;
        const { fields, body } = tariffFields(tariff, prefix);
        fill(panel.firstChild, A.form({ id: `${prefix}-form`, "aria-label": t("tariffs.edit_label", { code: tariff.code }) },
          [fields], t("form.save"), async () => {
            await A.call("PATCH", `/tariffs/${tariff.id}`, body());
            await A.refresh(t("form.saved"), `tariff-edit-${tariff.code}`);
          }));
        panel.querySelector("input:not([disabled]), select:not([disabled])").focus();
      });
      rows.push(panel);
    }
    const { fields, body } = tariffFields(null, "tariff");
    const add = A.form({ id: "tariff-form", "aria-labelledby": "tariff-new" }, [fields], t("tariffs.create"), async () => {
      await A.call("POST", `/events/${event.id}/tariffs`, body());
      await A.refresh(t("tariffs.created"), "tariffs-title");
    });
    return el("section", { class: "card", "aria-labelledby": "tariffs-title", id: "tariffs" },
      el("h2", { id: "tariffs-title", tabindex: "-1" }, t("tariffs.title")),
      A.table(t("tariffs.title"), [t("tariffs.code"), t("tariffs.name"), t("tariffs.kind"), t("tariffs.rule"),
        { text: t("tariffs.max"), attrs: { class: "num" } }, t("tariffs.staff"), t("tariffs.check"), ""], rows,
      { id: "tariff-table" }),
      el("details", { class: "add", id: "tariff-add" },
        el("summary", {}, el("h3", { id: "tariff-new" }, t("tariffs.new"))), add));
  }

  // ---- UiTdatabank ---------------------------------------------------------------------
  function uitdatabankSection(event, udb, venues) {
    const box = el("div", { id: "udb-state" });
    const draw = (state) => {
      if (!state) { fill(box); return; }
      const venueName = (vid) => { const v = venues.find((x) => x.id === vid); return v ? v.name : vid; };
      fill(box,
        el("dl", { class: "facts" },
          el("dt", {}, t("udb.environment")), el("dd", {}, state.environment),
          el("dt", {}, t("udb.pending")), el("dd", { id: "udb-pending" }, String(state.pending_changes))),
        state.locations.length ? state.locations.map((loc) => el("div", { class: "udb-location", "data-venue": loc.venue_id },
          el("h3", {}, venueName(loc.venue_id), " ", A.badge(`udb-${loc.status}`, loc.status)),
          el("dl", { class: "facts" },
            el("dt", {}, t("udb.id")), el("dd", {}, loc.url ? el("a", { href: loc.url }, loc.uitdatabank_id)
              : loc.uitdatabank_id || t("form.none")),
            el("dt", {}, t("udb.last_attempt")), el("dd", {}, A.longWhen(loc.last_attempt_at)),
            el("dt", {}, t("udb.last_success")), el("dd", {}, A.longWhen(loc.last_success_at))),
          loc.last_error ? el("div", { class: "notice error udb-error" },
            el("strong", {}, `${t("udb.last_error")}: `), loc.last_error) : null,
          loc.schema_errors.length ? el("div", {}, el("p", {}, t("udb.schema_errors")),
            el("ul", {}, loc.schema_errors.map((e) => el("li", {},
              [e.path || e.field || e.property, e.message || e.error].filter(Boolean).join(": ") || JSON.stringify(e)))))
            : null))
          : el("p", { class: "muted" }, t("udb.none")));
    };
    draw(udb);
    return el("section", { class: "card", "aria-labelledby": "udb-title", id: "uitdatabank" },
      el("h2", { id: "udb-title", tabindex: "-1" }, t("udb.title")), box,
      el("div", { class: "row-flex" },
        A.action({ id: "udb-sync" }, t("udb.sync"), async () => {
          draw(await A.call("POST", `/events/${event.id}/uitdatabank/sync`));
          A.say(t("udb.queued"));
        }),
        A.action({ id: "udb-reload", class: "secondary" }, t("udb.reload"), async () => {
          draw(await A.call("GET", `/events/${event.id}/uitdatabank`));
          A.say(t("udb.reloaded"));
        })));
  }

  A.route(/^\/admin$/, () => { history.replaceState(null, "", "/admin/events"); return listPage(); }, "events");
  A.route(/^\/admin\/events$/, listPage, "events");
  A.route(/^\/admin\/events\/new$/, newPage, "events");
  A.route(/^\/admin\/events\/([0-9a-f-]{36})$/, eventPage, "events");
})();
